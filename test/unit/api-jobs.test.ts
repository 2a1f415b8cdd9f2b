import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { JobManager } from '../../engine/jobs/manager.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('JobManager', () => {
  it('runs a job, reports queued → running → succeeded with progress on one stream, and keeps the result', async () => {
    const jobs = new JobManager();
    const events: JobEvent[] = [];
    jobs.subscribe((e) => events.push(e));
    const started = jobs.start('test', async (job) => {
      job.emit({ type: 'progress', progress: { total: 2, done: 1, failed: 0, etaSeconds: 1, rate: 1 } });
      job.emit({ type: 'log', level: 'info', message: 'half way' });
      return { indexed: 2 };
    });
    expect(started.status).toBe('queued');
    const final = await jobs.settled(started.id);
    expect(final?.status).toBe('succeeded');
    expect(final?.result).toEqual({ indexed: 2 });
    expect(final?.progress?.done).toBe(1);
    expect(final?.log.map((l) => l.message)).toEqual(['half way']);
    expect(events.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual(['queued', 'running', 'progress', 'log', 'succeeded']);
    expect(events.every((e) => e.jobId === started.id && e.kind === 'test')).toBe(true);
  });

  it('records a failure as an error payload and status failed', async () => {
    const jobs = new JobManager();
    const { id } = jobs.start('test', async () => {
      throw new RwbError('ES_UNREACHABLE', 'ES at http://x is not reachable');
    });
    const final = await jobs.settled(id);
    expect(final?.status).toBe('failed');
    expect(final?.error).toEqual({ code: 'ES_UNREACHABLE', message: 'ES at http://x is not reachable' });
  });

  it('cancels through the AbortSignal and reports cancelled, not failed', async () => {
    const jobs = new JobManager();
    const gate = deferred();
    const { id } = jobs.start('test', async (job) => {
      gate.resolve();
      await new Promise<void>((_, reject) => job.signal.addEventListener('abort', () => reject(new RwbError('CANCELLED', 'stopped'))));
    });
    await gate.promise;
    expect(jobs.cancel(id)).toBe(true);
    const final = await jobs.settled(id);
    expect(final?.status).toBe('cancelled');
    expect(final?.error).toBeNull();
    expect(jobs.cancel(id)).toBe(false);
    expect(jobs.cancel('no-such-job')).toBe(false);
  });

  it('stamps forwarded events with its own id and kind, counts failed items and caps the kept ones', async () => {
    const jobs = new JobManager({ failedItemLimit: 3 });
    const { id } = jobs.start('ingest', async (job) => {
      for (let i = 0; i < 5; i++) {
        job.forward({ type: 'item-failed', jobId: 'other-id', kind: 'other', item: { id: `p${i}`, where: `row ${i}`, reason: 'bad price' } });
      }
    });
    const final = await jobs.settled(id);
    expect(final?.failedItemsTotal).toBe(5);
    expect(final?.failedItems.map((f) => f.id)).toEqual(['p2', 'p3', 'p4']);
  });

  it('ignores status events after a terminal status and stops delivering to an unsubscribed listener', async () => {
    const jobs = new JobManager();
    let seen = 0;
    const unsubscribe = jobs.subscribe(() => seen++);
    const { id } = jobs.start('test', async (job) => {
      job.emit({ type: 'status', status: 'failed', message: 'body says failed' });
    });
    const final = await jobs.settled(id);
    // The body reported failed first; the manager's own "succeeded" must not reopen/override it.
    expect(final?.status).toBe('failed');
    unsubscribe();
    const before = seen;
    await jobs.settled(jobs.start('test', async () => undefined).id);
    expect(seen).toBe(before);
  });

  it('lists newest first and prunes old finished jobs', async () => {
    const jobs = new JobManager({ keepFinished: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { id } = jobs.start('test', async () => i);
      ids.push(id);
      await jobs.settled(id);
    }
    const listed = jobs.list().map((j) => j.id);
    expect(listed.length).toBeLessThanOrEqual(3);
    expect(listed[0]).toBe(ids[3]);
    expect(listed).not.toContain(ids[0]);
  });
});
