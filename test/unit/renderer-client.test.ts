/**
 * The renderer's typed client over both transports: HTTP + SSE against a real fastify server, and
 * IPC through main/'s real handler table (Electron's ipcMain/ipcRenderer replaced by a direct call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiContext } from '../../engine/api/context.ts';
import {
  ipcChannelFor,
  JOB_EVENTS_CHANNEL,
  type Envelope,
  type RwbBridge,
} from '../../engine/api/wire.ts';
import { OPERATION_NAMES } from '../../engine/api/names.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { startHttpServer, type RunningHttpServer } from '../../engine/http/server.ts';
import {
  forwardJobEvents,
  registerIpcHandlers,
  type IpcMainLike,
  type InvokeEventLike,
} from '../../main/ipc.ts';
import { createApiClient, type ApiClient } from '../../renderer/api/client.ts';
import { ApiError } from '../../renderer/api/errors.ts';
import { createHttpTransport } from '../../renderer/api/http-transport.ts';
import { createIpcTransport } from '../../renderer/api/ipc-transport.ts';
import { SseParser } from '../../renderer/api/sse.ts';

const ctx = createApiContext({
  mode: 'browser',
  es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 2000 },
});
let server: RunningHttpServer;

beforeAll(async () => {
  server = await startHttpServer({ ctx, rendererDir: null, port: 0, heartbeatMs: 50 });
});
afterAll(async () => {
  await server.close();
  await ctx.close();
});

/** A bridge like the preload's, wired to main/'s handlers without Electron in between. */
function inProcessBridge(): { bridge: RwbBridge; stop: () => void } {
  const handlers = new Map<
    string,
    (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>
  >();
  const ipc: IpcMainLike = {
    handle: (c, l) => void handlers.set(c, l),
    removeHandler: (c) => void handlers.delete(c),
  };
  const registration = registerIpcHandlers(ipc, ctx);
  const listeners = new Set<(event: unknown) => void>();
  const stopForwarding = forwardJobEvents(ctx, (channel, event) => {
    if (channel === JOB_EVENTS_CHANNEL) for (const l of listeners) l(structuredClone(event));
  });
  const bridge: RwbBridge = {
    operations: [...OPERATION_NAMES],
    // structuredClone: what crosses IPC is a copy, as with Electron's serialisation.
    invoke: async (name, input) =>
      structuredClone(
        (await handlers.get(ipcChannelFor(name))!(
          { senderFrame: { url: 'app://rwb/' } },
          structuredClone(input),
        )) as Envelope<unknown>,
      ),
    onJobEvent: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return { bridge, stop: () => (stopForwarding(), registration.dispose()) };
}

function collectJob(client: ApiClient, jobId: string): Promise<JobEvent[]> {
  return new Promise((resolve) => {
    const events: JobEvent[] = [];
    const unsubscribe = client.onJob(jobId, (event) => {
      events.push(event);
      if (event.type === 'status' && ['succeeded', 'failed', 'cancelled'].includes(event.status)) {
        unsubscribe();
        resolve(events);
      }
    });
  });
}

/** Opens the (lazy) SSE stream and waits until a probe job's events arrive through it; returns its close. */
async function untilConnected(client: ApiClient): Promise<() => void> {
  // Holding one listener keeps the stream open (it closes when the last listener leaves).
  const hold = client.onJobEvent(() => undefined);
  for (;;) {
    const seen = new Promise<boolean>((resolve) => {
      const off = client.onJobEvent(() => (off(), resolve(true)));
      setTimeout(() => (off(), resolve(false)), 500);
    });
    ctx.jobs.start('probe', async () => undefined);
    if (await seen) return hold;
  }
}

const transports = {
  http: () => ({
    client: createApiClient(createHttpTransport({ baseUrl: server.url, token: server.token, reconnectDelayMs: 50 })),
    stop: () => undefined,
  }),
  ipc: () => {
    const { bridge, stop } = inProcessBridge();
    return { client: createApiClient(createIpcTransport(bridge)), stop };
  },
};

describe.each(Object.entries(transports))('client over %s', (kind, make) => {
  it('calls typed operations and returns their output', async () => {
    const { client, stop } = make();
    expect(client.transport).toBe(kind);
    const status = await client.call('system.status');
    expect(status.mode).toBe('browser');
    expect(status.runtime.node).toBe(process.version);
    stop();
  });

  it('rebuilds errors as ApiError with code, message and details', async () => {
    const { client, stop } = make();
    const err = await client.call('search.run', { tenantId: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('INVALID_INPUT');
    expect((err as ApiError).message).toMatch(/^search\.run: tenantId: /);
    expect((err as ApiError).details).toMatchObject({ operation: 'search.run' });
    const notFound = await client.call('jobs.get', { jobId: 'missing' }).catch((e: unknown) => e);
    expect((notFound as ApiError).code).toBe('NOT_FOUND');
    stop();
  });

  it('stops waiting when the call is aborted (CANCELLED)', async () => {
    const { client, stop } = make();
    const controller = new AbortController();
    const pending = client
      .call('index.info', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    expect(((await pending) as ApiError).code).toBe('CANCELLED');
    stop();
  });

  it('delivers one job’s events in order and stops after unsubscribe', async () => {
    const { client, stop } = make();
    const releaseStream = kind === 'http' ? await untilConnected(client) : () => undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { id } = ctx.jobs.start('test', async (job) => {
      await gate;
      job.emit({
        type: 'progress',
        progress: { total: 3, done: 3, failed: 0, etaSeconds: 0, rate: 3 },
      });
      job.emit({
        type: 'item-failed',
        item: { id: 'p1', where: 'row 1', reason: 'negative price' },
      });
      return 'ok';
    });
    const events = collectJob(client, id);
    release();
    const got = await events;
    // 'queued' may arrive before or after subscribing, depending on the transport's latency.
    expect(
      got.map((e) => (e.type === 'status' ? e.status : e.type)).filter((s) => s !== 'queued'),
    ).toEqual(['running', 'progress', 'item-failed', 'succeeded']);
    const snapshot = await client.call('jobs.get', { jobId: id });
    expect(snapshot).toMatchObject({ status: 'succeeded', result: 'ok', failedItemsTotal: 1 });
    releaseStream();
    stop();
  });
});

describe('HTTP transport and the API token', () => {
  it('reads the token from the page\'s <meta name="rwb-api-token"> when not given one', async () => {
    const selectors: string[] = [];
    const page = {
      querySelector: (selector: string) => (selectors.push(selector), { content: server.token }),
    };
    Object.assign(globalThis, { document: page });
    try {
      const client = createApiClient(createHttpTransport({ baseUrl: server.url }));
      expect(await client.call('system.status')).toMatchObject({ mode: 'browser' });
      expect(selectors).toEqual(['meta[name="rwb-api-token"]']);
    } finally {
      Reflect.deleteProperty(globalThis, 'document');
    }
  });

  it('without the token, calls fail with the server\'s reason', async () => {
    const client = createApiClient(createHttpTransport({ baseUrl: server.url }));
    const err = (await client.call('system.status').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/Missing API token/);
  });
});

describe('HTTP transport without a server', () => {
  it('reports an unreachable server as an ApiError that says so', async () => {
    const client = createApiClient(createHttpTransport({ baseUrl: 'http://127.0.0.1:1' }));
    const err = (await client.call('system.status').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/not reachable/);
  });
});

describe('SseParser', () => {
  it('parses events split across chunks, skips comments, joins multi-line data', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2000\n: connected\n\nevent: job\nda')).toEqual([]);
    expect(parser.push('ta: {"a":1}\n\n')).toEqual([{ event: 'job', data: '{"a":1}' }]);
    expect(parser.push('data: x\r\ndata: y\r\n\r\n: keep-alive\n\n')).toEqual([
      { event: 'message', data: 'x\ny' },
    ]);
  });
});
