/** State modules of the renderer, driven through a scripted transport (no engine, no React). */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/api/wire.ts';
import { fail, ok, scriptedTransport } from './renderer-scripted.ts';
import type { JobSnapshot } from '../../engine/jobs/job.ts';
import { createApiClient } from '../../renderer/api/client.ts';
import { ApiError } from '../../renderer/api/errors.ts';
import { applyJobEvent, createIngestStore } from '../../renderer/state/ingest.ts';
import { screenFromHash } from '../../renderer/state/navigation.ts';
import { createSearchStore } from '../../renderer/state/search.ts';
import { createStatusStore } from '../../renderer/state/status.ts';

function snapshot(over: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id: 'j1',
    kind: 'ingest',
    label: 'Ingest from file',
    status: 'running',
    progress: null,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: null,
    error: null,
    result: null,
    log: [],
    failedItems: [],
    failedItemsTotal: 0,
    ...over,
  };
}

describe('status store', () => {
  it('loads system, ES and index independently: one failure leaves the others ready', async () => {
    const { transport } = scriptedTransport({
      'system.status': () => ok({ mode: 'browser' }),
      'es.status': () => ok({ reachable: true, health: 'green' }),
      'index.info': () => fail('ES_UNREACHABLE', 'Elasticsearch at http://x is not reachable'),
    });
    const store = createStatusStore(createApiClient(transport));
    const pending = store.getState().refresh();
    expect(store.getState().system.state).toBe('loading');
    await pending;
    const s = store.getState();
    expect(s.system).toMatchObject({ state: 'ready', data: { mode: 'browser' } });
    expect(s.es).toMatchObject({ state: 'ready', data: { health: 'green' } });
    expect(s.index.state).toBe('error');
    if (s.index.state === 'error') {
      expect(s.index.error).toBeInstanceOf(ApiError);
      expect(s.index.error.code).toBe('ES_UNREACHABLE');
    }
  });
});

describe('search store', () => {
  it('sends tenant, query, page and explain to search.run, keeping the previous result while loading', async () => {
    let resolveSecond!: (e: Envelope<unknown>) => void;
    let n = 0;
    const { transport, calls } = scriptedTransport({
      'search.run': () =>
        ++n === 1
          ? ok({ total: 1, results: [{ spu_id: 'a' }] })
          : new Promise((r) => (resolveSecond = r)),
    });
    const store = createSearchStore(createApiClient(transport));
    store.setState({ tenant: 't1' });
    store.getState().setQuery('耳机');
    await store.getState().run();
    expect(calls.filter((c) => c.name === 'search.run')[0]!.input).toEqual({
      tenantId: 't1',
      query: '耳机',
      from: 0,
      size: 24,
      explain: true,
    });
    const second = store.getState().run(24);
    expect(store.getState().result).toMatchObject({ state: 'loading', previous: { total: 1 } });
    resolveSecond(ok({ total: 30, results: [] }));
    await second;
    expect(store.getState()).toMatchObject({
      from: 24,
      result: { state: 'ready', data: { total: 30 } },
    });
  });

  it('lets a newer search supersede an older one whose answer arrives later, aborting it', async () => {
    const answers: Array<(e: Envelope<unknown>) => void> = [];
    const { transport, calls } = scriptedTransport({
      'search.run': () => new Promise((r) => answers.push(r)),
    });
    const store = createSearchStore(createApiClient(transport));
    store.setState({ tenant: 't1' });
    const first = store.getState().run();
    const second = store.getState().run();
    expect(calls[0]!.signal?.aborted).toBe(true);
    answers[1]!(ok({ total: 2, results: [] }));
    answers[0]!(ok({ total: 1, results: [] }));
    await Promise.all([first, second]);
    expect(store.getState().result).toMatchObject({ state: 'ready', data: { total: 2 } });
  });

  it('shows a typed error', async () => {
    const { transport } = scriptedTransport({
      'search.run': () => fail('INVALID_INPUT', 'search.run: tenantId: is required'),
    });
    const store = createSearchStore(createApiClient(transport));
    store.setState({ tenant: 't1' });
    await store.getState().run();
    const r = store.getState().result;
    expect(r.state === 'error' && r.error.code).toBe('INVALID_INPUT');
  });
});

describe('ingest store', () => {
  it('starts a job, follows its events, and takes the final snapshot when it ends', async () => {
    const { transport, calls, emit } = scriptedTransport({
      'jobs.list': () => ok({ jobs: [] }),
      'ingest.start': () => ok({ jobId: 'j1', kind: 'ingest' }),
      'jobs.get': () =>
        ok(
          snapshot(
            calls.filter((c) => c.name === 'jobs.get').length > 1
              ? { status: 'succeeded', finishedAt: '2025-01-01T00:01:00Z', result: { indexed: 10 } }
              : {},
          ),
        ),
    });
    const store = createIngestStore(createApiClient(transport));
    await store.getState().init();
    await store.getState().start({ source: { kind: 'file', path: '/tmp/p.ndjson' } });
    expect(store.getState().job?.id).toBe('j1');
    emit({
      type: 'progress',
      jobId: 'j1',
      kind: 'ingest',
      progress: { total: 10, done: 4, failed: 1, etaSeconds: 3, rate: 2 },
    });
    emit({
      type: 'item-failed',
      jobId: 'j1',
      kind: 'ingest',
      item: { id: '7', where: 'sku[7].price', reason: 'negative price' },
    });
    emit({
      type: 'progress',
      jobId: 'other',
      kind: 'ingest',
      progress: { total: 1, done: 1, failed: 0, etaSeconds: 0, rate: 1 },
    });
    expect(store.getState().job).toMatchObject({
      progress: { done: 4 },
      failedItemsTotal: 1,
      failedItems: [{ reason: 'negative price' }],
    });
    emit({ type: 'status', jobId: 'j1', kind: 'ingest', status: 'succeeded' });
    expect(store.getState().job?.status).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().job?.result).toEqual({ indexed: 10 });
  });

  it('shows why a start was refused and cancels the job on screen', async () => {
    const { transport, calls } = scriptedTransport({
      'jobs.list': () => ok({ jobs: [snapshot()] }),
      'ingest.start': () => fail('INVALID_INPUT', 'ingest.start: source.path: Required'),
      'jobs.cancel': () => ok({ cancelled: true, status: 'running' }),
    });
    const store = createIngestStore(createApiClient(transport));
    await store.getState().init();
    expect(store.getState().job?.id).toBe('j1');
    await store.getState().start({ source: { kind: 'file', path: '' } });
    expect(store.getState().startError?.message).toBe('ingest.start: source.path: Required');
    await store.getState().cancel();
    expect(calls.at(-1)).toEqual({ name: 'jobs.cancel', input: { jobId: 'j1' } });
  });

  it('applyJobEvent ignores other jobs and records terminal time once', () => {
    const job = snapshot();
    expect(
      applyJobEvent(job, { type: 'log', jobId: 'x', kind: 'ingest', level: 'info', message: 'm' }),
    ).toBe(job);
    const failed = applyJobEvent(job, {
      type: 'status',
      jobId: 'j1',
      kind: 'ingest',
      status: 'failed',
      message: 'ES went away',
    });
    expect(failed.finishedAt).not.toBeNull();
    expect(failed.log.at(-1)).toMatchObject({ level: 'error', message: 'ES went away' });
  });
});

describe('navigation', () => {
  it('reads the screen from the hash and falls back to Connections', () => {
    expect(screenFromHash('#/search')).toBe('search');
    expect(screenFromHash('#/tune?x=1')).toBe('tune');
    expect(screenFromHash('')).toBe('connections');
    expect(screenFromHash('#/nope')).toBe('connections');
  });
});
