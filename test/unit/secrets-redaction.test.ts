/**
 * A password inside an ES URL reaches the cluster but no surface that shows it: the client's auth,
 * error messages, and the status/export operations through the operation table. The cluster here
 * is a port nothing listens on (or a local HTTP listener that records what the client sent); the
 * same surfaces against a real Elasticsearch are in test/integration/secrets-redaction.test.ts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiContext } from '../../engine/api/context.ts';
import { invokeOperation } from '../../engine/api/invoke.ts';
import { serveCommand } from '../../engine/api/ops/config-export.ts';
import { esAuthKind, splitUrlCredentials } from '../../engine/config/connections.ts';
import { assertEsReachable, createEsClient } from '../../engine/es/client.ts';
import { RwbError } from '../../engine/errors.ts';

const SENTINEL = 'S3NTINEL-pw';
const UNREACHABLE = `http://elastic:${SENTINEL}@127.0.0.1:1`;

let home: string;
let previousHome: string | undefined;
let server: Server;
let seen: IncomingHttpHeaders[] = [];
let serverUrl: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'rwb-redact-'));
  previousHome = process.env.RWB_HOME;
  process.env.RWB_HOME = home;
  // Answers 401 like a secured cluster with wrong credentials, after noting the request headers.
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401, {
      'content-type': 'application/json',
      'x-elastic-product': 'Elasticsearch',
    });
    res.end(
      JSON.stringify({
        error: { type: 'security_exception', reason: 'unable to authenticate' },
        status: 401,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  if (previousHome === undefined) delete process.env.RWB_HOME;
  else process.env.RWB_HOME = previousHome;
  await rm(home, { recursive: true, force: true });
});

function context(url: string) {
  return createApiContext({
    mode: 'test',
    es: { url, insecure: false, requestTimeoutMs: 2000 },
    defaultIndex: 'rwb_unit_redact',
  });
}

async function failure(promise: Promise<unknown>): Promise<RwbError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RwbError);
    return err as RwbError;
  }
  throw new Error('expected a failure');
}

describe('credentials in an Elasticsearch URL', () => {
  it('are split off the URL, decoded, and count as basic auth', () => {
    expect(splitUrlCredentials(`http://el%40stic:${encodeURIComponent('p@ss:w')}@h:9200`)).toEqual({
      url: 'http://h:9200',
      username: 'el@stic',
      password: 'p@ss:w',
    });
    expect(splitUrlCredentials('https://h/base/')).toEqual({ url: 'https://h/base/' });
    expect(esAuthKind({ url: UNREACHABLE })).toBe('basic');
    expect(esAuthKind({ url: 'http://h', apiKey: 'k' })).toBe('apiKey');
    expect(esAuthKind({ url: 'http://h' })).toBe('none');
  });

  it('reach the cluster as a Basic header, while the refusal names the URL without them', async () => {
    seen = [];
    const url = serverUrl.replace('http://', `http://elastic:${SENTINEL}@`);
    const client = createEsClient({ url, requestTimeoutMs: 2000 });
    try {
      const err = await failure(assertEsReachable(client, url));
      expect(seen[0]?.authorization).toBe(
        `Basic ${Buffer.from(`elastic:${SENTINEL}`).toString('base64')}`,
      );
      expect(err.code).toBe('ES_ERROR');
      expect(err.message).toContain('http://***:***@127.0.0.1');
      expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain(
        SENTINEL,
      );
    } finally {
      await client.close();
    }
  });

  it('explicit username/password win over the ones in the URL', async () => {
    seen = [];
    const url = serverUrl.replace('http://', `http://elastic:${SENTINEL}@`);
    const client = createEsClient({
      url,
      username: 'other',
      password: 'pw2',
      requestTimeoutMs: 2000,
    });
    try {
      await failure(assertEsReachable(client, url));
      expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('other:pw2').toString('base64')}`);
    } finally {
      await client.close();
    }
  });

  it('never reach an error message, whoever builds it', () => {
    const err = new RwbError('ES_UNREACHABLE', `cannot reach ${UNREACHABLE}/x`, {
      url: UNREACHABLE,
      nested: [UNREACHABLE],
    });
    expect(JSON.stringify(err.toJSON())).not.toContain(SENTINEL);
    expect(err.message).toBe('cannot reach http://***:***@127.0.0.1:1/x');
  });
});

describe('operations with a password in the ES URL', () => {
  it('system.status shows the URL without it', async () => {
    const out = (await invokeOperation('system.status', {}, context(UNREACHABLE))) as {
      esUrl: string;
    };
    expect(out.esUrl).toBe('http://***:***@127.0.0.1:1');
  });

  it('es.status and es.connect report basic auth and no password, also in the error', async () => {
    const status = (await invokeOperation('es.status', {}, context(UNREACHABLE))) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({
      url: 'http://***:***@127.0.0.1:1',
      auth: 'basic',
      reachable: false,
    });
    expect((status.error as { code: string }).code).toBe('ES_UNREACHABLE');
    expect(JSON.stringify(status)).not.toContain(SENTINEL);

    const connected = await invokeOperation(
      'es.connect',
      { url: UNREACHABLE },
      context('http://127.0.0.1:1'),
    );
    expect(connected).toMatchObject({ auth: 'basic', reachable: false });
    expect(JSON.stringify(connected)).not.toContain(SENTINEL);
  });

  it('config.export fails against the unreachable cluster without echoing it', async () => {
    const err = await failure(invokeOperation('config.export', {}, context(UNREACHABLE)));
    expect(err.code).toBe('ES_UNREACHABLE');
    expect(JSON.stringify(err.toJSON())).not.toContain(SENTINEL);
  });

  it('the suggested serve command drops the credentials and says where they go instead', () => {
    const basic = serveCommand('/b.json', { url: `https://elastic:${SENTINEL}@es.example:9243/` });
    expect(basic).toBe(
      'rwb serve --config /b.json --es https://es.example:9243/  # credentials: set RWB_ES_USERNAME and RWB_ES_PASSWORD',
    );
    expect(serveCommand('/b.json', { url: 'http://h:9200', apiKey: SENTINEL })).toBe(
      'rwb serve --config /b.json --es http://h:9200  # credentials: set RWB_ES_API_KEY',
    );
    expect(serveCommand('/b.json', { url: `http://h:9200/?api_key=${SENTINEL}` })).not.toContain(
      SENTINEL,
    );
  });
});
