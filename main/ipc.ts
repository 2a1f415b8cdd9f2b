/**
 * IPC wiring derived from the contract: one `ipcMain.handle` per operation (answers are envelopes,
 * because Electron keeps only the message of a thrown error) and every JobEvent forwarded on one
 * channel. Takes ipcMain as a parameter so tests can check the registration table without Electron.
 */
import { OPERATION_NAMES } from '../engine/api/names.ts';
import { invokeOperation } from '../engine/api/invoke.ts';
import { ipcChannelFor, JOB_EVENTS_CHANNEL, type Envelope } from '../engine/api/wire.ts';
import type { ApiContext } from '../engine/api/context.ts';
import { RwbError, toRwbError } from '../engine/errors.ts';

/** The slice of Electron's invoke event we look at. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
}

/** The slice of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcRegistration {
  /** channel → operation name: the registration table. */
  readonly channels: ReadonlyMap<string, string>;
  dispose(): void;
}

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  ctx: ApiContext,
  options: { isTrustedSender?: (event: InvokeEventLike) => boolean; onInternalError?: (err: unknown) => void } = {},
): IpcRegistration {
  const channels = new Map<string, string>();
  const trusted = options.isTrustedSender ?? (() => true);
  for (const name of OPERATION_NAMES) {
    const channel = ipcChannelFor(name);
    ipcMain.handle(channel, async (event, input): Promise<Envelope<unknown>> => {
      if (!trusted(event)) {
        return { ok: false, error: new RwbError('INVALID_INPUT', `${name}: call from an untrusted frame refused`).toJSON() };
      }
      try {
        return { ok: true, value: await invokeOperation(name, input, ctx) };
      } catch (err) {
        const error = toRwbError(err);
        if (error.code === 'INTERNAL') options.onInternalError?.(error.cause ?? error);
        return { ok: false, error: error.toJSON() };
      }
    });
    channels.set(channel, name);
  }
  return {
    channels,
    dispose() {
      for (const channel of channels.keys()) ipcMain.removeHandler(channel);
    },
  };
}

/** Sends every job event to `send` (a window's webContents.send bound to the channel). */
export function forwardJobEvents(ctx: ApiContext, send: (channel: string, event: unknown) => void): () => void {
  return ctx.jobs.subscribe((event) => send(JOB_EVENTS_CHANNEL, event));
}
