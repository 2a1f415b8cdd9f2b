/**
 * Every contract operation is reachable over both wirings — the IPC registration table of main/
 * and the HTTP routes of browser mode — and both validate input (bad input → typed error).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApiContext } from '../../engine/api/context.ts';
import { OPERATION_NAMES } from '../../engine/api/names.ts';
import { ipcChannelFor, JOB_EVENTS_CHANNEL, type Envelope } from '../../engine/api/wire.ts';
import { apiTokenOf, createHttpServer, httpRouteFor } from '../../engine/http/server.ts';
import { forwardJobEvents, registerIpcHandlers, type InvokeEventLike, type IpcMainLike } from '../../main/ipc.ts';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  return { ipc, handlers };
}

const ctx = createApiContext({ mode: 'test', es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 2000 } });
const appFrame: InvokeEventLike = { senderFrame: { url: 'app://rwb/index.html' } };
afterAll(() => ctx.close());

describe('IPC registration table', () => {
  const { ipc, handlers } = fakeIpcMain();
  const registration = registerIpcHandlers(ipc, ctx, { isTrustedSender: (e) => e.senderFrame?.url.startsWith('app://rwb/') ?? false });

  it('registers one handler per operation on its channel', () => {
    expect([...registration.channels.values()].sort()).toEqual([...OPERATION_NAMES].sort());
    for (const name of OPERATION_NAMES) expect(handlers.has(ipcChannelFor(name)), name).toBe(true);
  });

  it.each(OPERATION_NAMES)('%s over IPC answers bad input with an INVALID_INPUT envelope', async (name) => {
    const answer = (await handlers.get(ipcChannelFor(name))!(appFrame, { notAField: true })) as Envelope<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe('INVALID_INPUT');
      expect(answer.error.message.startsWith(`${name}: `)).toBe(true);
    }
  });

  it('answers a valid call with an ok envelope and refuses untrusted frames', async () => {
    const ok = (await handlers.get(ipcChannelFor('system.status'))!(appFrame, null)) as Envelope<{ mode: string }>;
    expect(ok).toMatchObject({ ok: true, value: { mode: 'test' } });
    const refused = (await handlers.get(ipcChannelFor('system.status'))!({ senderFrame: { url: 'https://evil.example/' } }, null)) as Envelope<unknown>;
    expect(refused.ok).toBe(false);
  });

  it('forwards job events on the one job-event channel until stopped', async () => {
    const sent: Array<[string, unknown]> = [];
    const stop = forwardJobEvents(ctx, (channel, event) => sent.push([channel, event]));
    await ctx.jobs.settled(ctx.jobs.start('test', async () => 1).id);
    stop();
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.every(([channel]) => channel === JOB_EVENTS_CHANNEL)).toBe(true);
    const count = sent.length;
    await ctx.jobs.settled(ctx.jobs.start('test', async () => 2).id);
    expect(sent.length).toBe(count);
  });

  it('removes every handler on dispose', () => {
    registration.dispose();
    expect(handlers.size).toBe(0);
  });
});

describe('HTTP routes', () => {
  it.each(OPERATION_NAMES)('%s is mounted at POST /api/<op> and answers bad input with 400 INVALID_INPUT', async (name) => {
    const app = await createHttpServer({ ctx, rendererDir: null });
    try {
      expect(app.hasRoute({ method: 'POST', url: httpRouteFor(name) })).toBe(true);
      const res = await app.inject({ method: 'POST', url: httpRouteFor(name), headers: { 'x-rwb-token': apiTokenOf(app) }, payload: { notAField: true } });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { code: string; message: string };
      expect(body.code).toBe('INVALID_INPUT');
      expect(body.message.startsWith(`${name}: `)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
