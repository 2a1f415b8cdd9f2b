/**
 * A sentinel password inside the ES URL, against the real Elasticsearch (no security, so it ignores
 * the credentials and the connection works): the operations that show the connection —
 * system.status, es.status, es.connect, config.export — through the operation table, the way IPC
 * and browser mode call them. None may return the password; es.status must say basic auth.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invokeOperation } from '../../engine/api/invoke.ts';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { RwbError } from '../../engine/errors.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const SENTINEL = 'S3NTINEL-pw';
const missing = [await requireComponent('Elasticsearch', () => esAvailable())];

let tmp: string;
let index: string;
let previousHome: string | undefined;
let withPassword: string;

function context(url: string): ApiContext {
  return createApiContext({
    mode: 'test',
    es: { url, insecure: false, requestTimeoutMs: 10_000 },
    defaultIndex: index,
  });
}

describeWith(missing, 'operations with a password in the ES URL, on the real Elasticsearch', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'rwb-secrets-'));
    previousHome = process.env.RWB_HOME;
    process.env.RWB_HOME = path.join(tmp, 'home');
    index = `rwb_test_secrets_${path.basename(tmp).slice(-6).toLowerCase()}`;
    withPassword = esUrl().replace('://', `://elastic:${SENTINEL}@`);
    const products = [...generateDemoCatalog({ tenants: ['A'], spusPerTenant: 10, seed: 7 })];
    const source = path.join(tmp, 'demo.ndjson');
    await writeFile(source, products.map((p) => JSON.stringify(p)).join('\n'));
    await runIngest(
      {
        source: { kind: 'file', path: source },
        es: { url: esUrl() },
        index,
        recreate: true,
        embedding: { model: null },
      },
      {
        checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
        failuresDir: path.join(tmp, 'failures'),
      },
    );
  }, 300_000);
  afterAll(async () => {
    const client = createEsClient({ url: esUrl() });
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
    await rm(tmp, { recursive: true, force: true });
  });

  it('system.status and es.status: the cluster answers, the URL is shown redacted, auth is basic', async () => {
    const ctx = context(withPassword);
    const system = (await invokeOperation('system.status', {}, ctx)) as { esUrl: string };
    const status = (await invokeOperation('es.status', {}, ctx)) as {
      url: string;
      auth: string;
      reachable: boolean;
    };
    expect(status.reachable).toBe(true);
    expect(status.auth).toBe('basic');
    expect(status.url).toBe(withPassword.replace(`elastic:${SENTINEL}`, '***:***'));
    expect(system.esUrl).toBe(status.url);
    expect(JSON.stringify([system, status])).not.toContain(SENTINEL);
  });

  it('es.connect to the same cluster with the password in the URL: connected, not echoed', async () => {
    const ctx = context(esUrl());
    const connected = (await invokeOperation('es.connect', { url: withPassword }, ctx)) as {
      reachable: boolean;
      auth: string;
    };
    expect(connected).toMatchObject({ reachable: true, auth: 'basic' });
    expect(JSON.stringify(connected)).not.toContain(SENTINEL);
    // The context keeps the real URL (the client needs it); only what is shown is redacted.
    expect(ctx.esConnection().url).toBe(withPassword);
  });

  it('config.export: the bundle, its text and the suggested serve command hold no password', async () => {
    const out = (await invokeOperation('config.export', {}, context(withPassword))) as {
      command: string;
      text: string;
      file: string;
    };
    expect(out.command).toContain(`--es ${esUrl()}`);
    expect(out.command).toContain('RWB_ES_USERNAME and RWB_ES_PASSWORD');
    expect(JSON.stringify(out)).not.toContain(SENTINEL);
  });

  it('a failure that names the cluster (missing index) does not echo the password either', async () => {
    const ctx = createApiContext({
      mode: 'test',
      es: { url: withPassword, insecure: false, requestTimeoutMs: 10_000 },
      defaultIndex: `${index}_missing`,
    });
    let error: unknown;
    try {
      await invokeOperation('config.export', { preview: true }, ctx);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RwbError);
    expect((error as RwbError).code).toBe('NOT_FOUND');
    expect((error as RwbError).message).toContain('***:***@');
    expect(JSON.stringify((error as RwbError).toJSON())).not.toContain(SENTINEL);
  });
});
