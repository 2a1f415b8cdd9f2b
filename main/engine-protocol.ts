/**
 * Messages between Electron main and the engine host (the utility process that runs every
 * operation, so ingest, evaluation and tuning never block main). Plain JSON-able objects.
 */
import type { Envelope } from '../engine/api/wire.ts';

export type SecretValues = Partial<Record<string, string>>;

/** main → host */
export type ToHost =
  | {
      type: 'init';
      appVersion: string;
      profile?: string;
      secrets: SecretValues;
      /** Why secrets cannot be stored (no OS encryption, Linux basic_text); absent when they can. */
      secretStoreUnavailable?: string;
    }
  | { type: 'invoke'; id: number; name: string; input: unknown }
  /** The renderer stopped waiting (a superseded slider request): abort the operation's work. */
  | { type: 'abort'; id: number }
  | { type: 'secret-written'; id: number; ok: boolean; message?: string }
  | { type: 'shutdown' };

/** host → main */
export type FromHost =
  | { type: 'ready' }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'job-event'; event: unknown }
  /** Store (or with value null remove) a secret with safeStorage; answer with secret-written. */
  | { type: 'secret-write'; id: number; name: string; value: string | null }
  | { type: 'closed' };

/** The slice of a message port both sides use (Electron parentPort / UtilityProcess, Node IPC). */
export interface PortLike<In, Out> {
  post(message: Out): void;
  onMessage(listener: (message: In) => void): () => void;
}
