/**
 * Elasticsearch going away mid-ingest, on the real ES behind a loopback TCP proxy that the test
 * cuts: the job fails with a clear ES_UNREACHABLE error, the checkpoint survives, and the re-run
 * resumes and ends with every document in the index exactly once. With reconnect attempts
 * configured, the same outage is ridden out inside one run. Also: the NDJSON file source.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog, writeDemoFile } from '../../engine/catalog/demo-catalog.ts';
import { RwbError } from '../../engine/errors.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import type { IngestOptionsInput } from '../../engine/ingest/options.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { describeWith, esAvailable, esUrl, mysqlAvailable, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const missing = [await requireComponent('Elasticsearch', () => esAvailable()), await requireComponent('MariaDB', mysqlAvailable)];
const demo = { tenants: 2, spusPerTenant: 150, seed: 3 };
const expectedDocs = [...generateDemoCatalog(demo)].length;
let fx: IngestFixture;
let proxy: TcpProxy;
let file: string;

function options(url: string, extra: Partial<IngestOptionsInput> = {}): IngestOptionsInput {
  return {
    source: { kind: 'file', path: file },
    // Small bulk requests one at a time, so the outage lands in the middle of the run.
    es: { url, requestTimeoutMs: 5000 },
    index: fx.index,
    batchSize: 10,
    concurrency: 1,
    embedding: { model: null },
    ...extra,
  };
}
const hooks = (onEvent?: (e: JobEvent) => void) => ({ checkpoints: fx.checkpoints, failuresDir: fx.failuresDir, onEvent });

/** Documents in the index, and distinct (tenant_id, spu_id) pairs among them. */
async function distinctSpuCount(): Promise<{ count: number; distinct: number }> {
  await fx.es.indices.refresh({ index: fx.index });
  const res = await fx.es.search({
    index: fx.index,
    size: 0,
    track_total_hits: true,
    aggs: { tenants: { terms: { field: 'tenant_id', size: 100 }, aggs: { ids: { cardinality: { field: 'spu_id', precision_threshold: 10_000 } } } } },
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : res.hits.total!.value;
  const buckets = (res.aggregations!.tenants as { buckets: Array<{ ids: { value: number } }> }).buckets;
  return { count: total, distinct: buckets.reduce((n, b) => n + b.ids.value, 0) };
}

describeWith(missing, 'ingest: ES going away mid-run, resume, file source', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('ingest_resume');
    file = path.join(fx.tmp, 'demo.ndjson');
    await writeDemoFile(file, demo);
    proxy = await startTcpProxy(esUrl());
  });

  afterAll(async () => {
    await proxy?.close();
    await fx?.cleanup();
  });

  it('fails with a clear error when ES disappears, then resumes to exactly-once', async () => {
    // The cut comes after about a third of the bulk payload has gone towards ES.
    const cut = proxy.downAfterBytes(100_000);
    const first = runIngest(options(proxy.url, { recreate: true }), hooks());
    const err = await first.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RwbError);
    expect((err as RwbError).code).toBe('ES_UNREACHABLE');
    expect((err as RwbError).message).toMatch(/re-run the same command to resume/);

    await cut;
    const partial = await distinctSpuCount();
    expect(partial.count).toBeGreaterThanOrEqual(10);
    expect(partial.count).toBeLessThan(expectedDocs);

    await proxy.up();
    const second = await runIngest(options(proxy.url), hooks());
    expect(second.resumedFrom).toBeGreaterThanOrEqual(10);
    expect(second.resumedFrom + second.indexed).toBe(expectedDocs);
    expect(second.failed).toBe(0);
    const final = await distinctSpuCount();
    expect(final).toEqual({ count: expectedDocs, distinct: expectedDocs });
    // The run that died left refresh off; the run that finished put it back.
    const settings = await fx.es.indices.getSettings({ index: fx.index, flat_settings: true });
    expect(Object.values(settings)[0]!.settings!['index.refresh_interval']).toBeUndefined();
  });

  it('rides out an outage inside one run when reconnect attempts are configured', async () => {
    const events: string[] = [];
    // Down for longer than the client's own retries with backoff (~3 s), so the job has to reconnect.
    void proxy.downAfterBytes(100_000).then(() => setTimeout(() => void proxy.up(), 6000));
    const report = await runIngest(
      options(proxy.url, { recreate: true, reconnectAttempts: 5, reconnectWaitMs: 300 }),
      hooks((e) => {
        if (e.type === 'log') events.push(e.message);
      }),
    );
    expect(report.reconnects).toBeGreaterThanOrEqual(1);
    expect(report.indexed).toBe(expectedDocs); // nothing counted twice across the reconnect
    expect(events.some((m) => /unreachable.*waiting to resume/i.test(m))).toBe(true);
    expect(await distinctSpuCount()).toEqual({ count: expectedDocs, distinct: expectedDocs });
  });

  it('reports an unreachable ES before doing any work', async () => {
    await proxy.down();
    try {
      await expect(runIngest(options(proxy.url), hooks())).rejects.toMatchObject({ code: 'ES_UNREACHABLE' });
    } finally {
      await proxy.up();
    }
  });
});
