/**
 * The per-tenant `recreate`, the index-wide `recreateIndex` and `includeUnpublished`: how the CLI
 * flags map onto ingest options, what `ingest.start` accepts, which `published` values hide a
 * product, and the workbench asking before an index drop with the tenants and counts it loses.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { IngestStartInputSchema, ingestStart } from '../../engine/api/ops/ingest.ts';
import { buildIngestInput, registerIngestCommands } from '../../engine/cli/commands/ingest.ts';
import { isUnpublished } from '../../engine/ingest/bulk-pass.ts';
import { describeRecreate } from '../../engine/ingest/recreate.ts';
import { createApiClient } from '../../renderer/api/client.ts';
import { createIngestStore } from '../../renderer/state/ingest.ts';
import { ok, scriptedTransport } from './renderer-scripted.ts';

type Flags = Parameters<typeof buildIngestInput>[0];

/** Parses an `rwb ingest` command line the way the CLI does and returns the options it builds. */
function parse(args: string[]) {
  let flags: Flags | null = null;
  const program = new Command().exitOverride();
  registerIngestCommands(program);
  const ingest = program.commands.find((c) => c.name() === 'ingest')!;
  ingest.action((f: Flags) => {
    flags = f;
  });
  program.parse(['node', 'rwb', 'ingest', '--source', 'file', '--file', '/tmp/x.ndjson', ...args]);
  return buildIngestInput(flags!);
}

describe('ingest recreate / published options', () => {
  it('maps --recreate, --recreate-index and --include-unpublished onto separate options', () => {
    expect(parse(['--recreate', '--tenant', '1'])).toMatchObject({
      recreate: true,
      recreateIndex: false,
      includeUnpublished: false,
      tenantIds: ['1'],
    });
    expect(parse(['--recreate-index'])).toMatchObject({ recreate: false, recreateIndex: true });
    expect(parse(['--include-unpublished'])).toMatchObject({
      includeUnpublished: true,
      recreate: false,
      recreateIndex: false,
    });
  });

  it('ingest.start takes the same options, defaulting to per-tenant safety and published only', () => {
    const parsed = IngestStartInputSchema.parse({ source: { kind: 'file', path: '/tmp/x' } });
    expect(parsed).toMatchObject({
      recreate: false,
      recreateIndex: false,
      includeUnpublished: false,
    });
    expect(ingestStart.label!({ ...parsed, tenantIds: ['7'], recreate: true })).toBe(
      'Ingest from file (tenants 7), re-creating the tenants',
    );
    expect(ingestStart.label!({ ...parsed, recreateIndex: true })).toBe(
      'Ingest from file, dropping the index first',
    );
    expect(
      IngestStartInputSchema.safeParse({
        source: { kind: 'file', path: '/tmp/x' },
        recreateIndex: 'yes',
      }).success,
    ).toBe(false);
  });

  it('treats only an explicit 0/false as unpublished (a missing column keeps products visible)', () => {
    for (const v of [0, false, '0', 'false']) expect(isUnpublished(v)).toBe(true);
    for (const v of [1, true, '1', null, undefined]) expect(isUnpublished(v)).toBe(false);
  });

  it('describes what a re-create removed', () => {
    expect(
      describeRecreate('p', { scope: 'tenants', tenants: [{ tenantId: '1', docs: 3 }] }),
    ).toMatch(/tenant\(s\) of p: removed the documents of 1 \(3 docs\); other tenants untouched/);
    expect(
      describeRecreate('p', {
        scope: 'index',
        tenants: [
          { tenantId: '1', docs: 3 },
          { tenantId: '2', docs: 4 },
        ],
      }),
    ).toMatch(/Index p dropped.*1 \(3 docs\), 2 \(4 docs\)/);
  });
});

describe('workbench: dropping an index asks first', () => {
  const info = {
    index: 'search_products',
    exists: true,
    docCount: 7,
    tenants: [
      { tenantId: 'a', docCount: 3 },
      { tenantId: 'b', docCount: 4 },
    ],
    tenantsTruncated: false,
    textEmbedding: { dims: null, model: null },
    imageEmbedding: { dims: null, model: null },
    createdByRwb: true,
    createdAt: null,
    analysis: { zh: null, en: null, keywordNormalizer: null, source: 'none' },
  };
  const script = () =>
    scriptedTransport({
      'index.info': () => ok(info),
      'ingest.start': () => ok({ jobId: 'j1', kind: 'ingest' }),
      'jobs.get': () =>
        ok({
          id: 'j1',
          kind: 'ingest',
          label: 'x',
          status: 'running',
          progress: null,
          startedAt: '2025-01-01T00:00:00Z',
          finishedAt: null,
          error: null,
          result: null,
          log: [],
          failedItems: [],
          failedItemsTotal: 0,
        }),
    });
  const request = { source: { kind: 'file' as const, path: '/tmp/x' }, recreateIndex: true };

  it('names the tenants and counts from the index and starts nothing until confirmed', async () => {
    const { transport, calls } = script();
    const store = createIngestStore(createApiClient(transport));
    await store.getState().start(request);
    expect(calls.map((c) => c.name)).toEqual(['index.info']);
    expect(store.getState().pendingDrop).toMatchObject({
      index: 'search_products',
      docCount: 7,
      tenants: info.tenants,
    });
    await store.getState().confirmDrop();
    expect(store.getState().pendingDrop).toBeNull();
    expect(calls.filter((c) => c.name === 'ingest.start').map((c) => c.input)).toEqual([request]);
  });

  it('starts nothing when the user keeps the index, and does not ask for a per-tenant recreate', async () => {
    const { transport, calls } = script();
    const store = createIngestStore(createApiClient(transport));
    await store.getState().start(request);
    store.getState().dismissDrop();
    expect(store.getState().pendingDrop).toBeNull();
    expect(calls.some((c) => c.name === 'ingest.start')).toBe(false);
    await store.getState().start({ source: request.source, recreate: true });
    expect(calls.filter((c) => c.name === 'index.info')).toHaveLength(1);
    expect(calls.filter((c) => c.name === 'ingest.start')).toHaveLength(1);
  });
});
