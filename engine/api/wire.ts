/**
 * What crosses a process boundary, shared by main/, preload, http/ and the renderer client.
 * Electron's ipcMain.handle drops everything but the message of a thrown error, so IPC answers
 * with an envelope instead of throwing; HTTP uses the status code and the same error payload.
 */
import type { ErrorPayload } from '../errors.ts';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

/** IPC channel of one operation. */
export function ipcChannelFor(name: string): string {
  return `rwb:op:${name}`;
}

/** The one IPC channel every job event goes out on. */
export const JOB_EVENTS_CHANNEL = 'rwb:job-event';

/** Renderer → main: the call with this id is no longer wanted (abort its work). */
export const CANCEL_CHANNEL = 'rwb:cancel';

/** HTTP routes of browser mode. */
export const HTTP_API_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';

/**
 * What the preload exposes as `window.api` (and nothing else). Every listener registration returns
 * its unsubscribe function.
 */
export interface RwbBridge {
  /** Names of the operations this build offers. */
  readonly operations: readonly string[];
  /** `callId` (any number unique per window) lets `cancel` withdraw the call later. */
  invoke(name: string, input: unknown, callId?: number): Promise<Envelope<unknown>>;
  /** Asks main to abort a call still running (its answer is then CANCELLED). */
  cancel?(callId: number): void;
  onJobEvent(listener: (event: unknown) => void): () => void;
}
