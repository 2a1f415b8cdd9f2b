/**
 * IPC wiring derived from the contract: one `ipcMain.handle` per operation (answers are envelopes,
 * because Electron keeps only the message of a thrown error), a cancel channel for calls the
 * renderer gave up on, and every JobEvent forwarded on one channel. The handlers relay to an
 * `invoke` function — in the desktop app the engine host in the utility process; in tests (and
 * as a fallback) the engine in this process. Takes ipcMain as a parameter so tests can check
 * the registration table without Electron.
 */
import { OPERATION_NAMES } from '../engine/api/names.ts';
import {
  CANCEL_CHANNEL,
  ipcChannelFor,
  JOB_EVENTS_CHANNEL,
  type Envelope,
} from '../engine/api/wire.ts';
import type { ApiContext } from '../engine/api/context.ts';
import { RwbError, toRwbError } from '../engine/errors.ts';

/** The slice of Electron's invoke event we look at. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
  sender?: { id: number } | null;
}

/** The slice of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
  on?(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => void): void;
  removeListener?(
    channel: string,
    listener: (event: InvokeEventLike, ...args: unknown[]) => void,
  ): void;
}

export interface IpcRegistration {
  /** channel → operation name: the registration table. */
  readonly channels: ReadonlyMap<string, string>;
  dispose(): void;
}

export type RelayInvoke = (
  name: string,
  input: unknown,
  signal: AbortSignal,
) => Promise<Envelope<unknown>>;

export interface RelayOptions {
  isTrustedSender?: (event: InvokeEventLike) => boolean;
  onInternalError?: (err: unknown) => void;
}

/** Registers every operation's channel, answering through `invoke`. */
export function registerIpcRelay(
  ipcMain: IpcMainLike,
  invoke: RelayInvoke,
  options: RelayOptions = {},
): IpcRegistration {
  const channels = new Map<string, string>();
  const trusted = options.isTrustedSender ?? (() => true);
  const running = new Map<string, AbortController>();
  const keyOf = (event: InvokeEventLike, callId: unknown) =>
    `${event.sender?.id ?? 0}:${String(callId)}`;

  for (const name of OPERATION_NAMES) {
    const channel = ipcChannelFor(name);
    ipcMain.handle(channel, async (event, input, callId): Promise<Envelope<unknown>> => {
      if (!trusted(event)) {
        return {
          ok: false,
          error: new RwbError(
            'INVALID_INPUT',
            `${name}: call from an untrusted frame refused`,
          ).toJSON(),
        };
      }
      const controller = new AbortController();
      const key = typeof callId === 'number' ? keyOf(event, callId) : null;
      if (key) running.set(key, controller);
      try {
        const answer = await invoke(name, input, controller.signal);
        if (!answer.ok && answer.error.code === 'INTERNAL') options.onInternalError?.(answer.error);
        return answer;
      } catch (err) {
        const error = toRwbError(err);
        if (error.code === 'INTERNAL') options.onInternalError?.(error.cause ?? error);
        return { ok: false, error: error.toJSON() };
      } finally {
        if (key) running.delete(key);
      }
    });
    channels.set(channel, name);
  }
  const onCancel = (event: InvokeEventLike, callId: unknown) => {
    if (trusted(event)) running.get(keyOf(event, callId))?.abort();
  };
  ipcMain.on?.(CANCEL_CHANNEL, onCancel);
  return {
    channels,
    dispose() {
      for (const channel of channels.keys()) ipcMain.removeHandler(channel);
      ipcMain.removeListener?.(CANCEL_CHANNEL, onCancel);
    },
  };
}

/** The engine in this process behind the relay (tests, and the fallback without a host). */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  ctx: ApiContext,
  options: RelayOptions = {},
): IpcRegistration {
  return registerIpcRelay(
    ipcMain,
    async (name, input, signal) => {
      // Imported lazily so main's bundle does not pull the engine in when it relays to the host.
      const { invokeOperation } = await import('../engine/api/invoke.ts');
      try {
        return { ok: true, value: await invokeOperation(name, input, ctx, { signal }) };
      } catch (err) {
        return { ok: false, error: toRwbError(err).toJSON() };
      }
    },
    options,
  );
}

/** Sends every job event to `send` (a window's webContents.send bound to the channel). */
export function forwardJobEvents(
  ctx: ApiContext,
  send: (channel: string, event: unknown) => void,
): () => void {
  return ctx.jobs.subscribe((event) => send(JOB_EVENTS_CHANNEL, event));
}
