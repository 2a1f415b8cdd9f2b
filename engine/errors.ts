/**
 * Every error that crosses a boundary (CLI, HTTP, IPC) is an RwbError: a stable machine-readable
 * `code`, a human sentence that says what and where, and optional structured `details`.
 */
import { redactDeep, redactSecrets } from './net/redact.ts';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'ES_UNREACHABLE'
  | 'ES_ERROR'
  | 'ES_RUNTIME'
  | 'JAVA_MISSING'
  | 'MYSQL_ERROR'
  | 'MODEL_ERROR'
  | 'DOWNLOAD_FAILED'
  | 'BAD_ROW'
  | 'CANCELLED'
  | 'PARSE_ERROR'
  /** Another writer holds a lock of the local store longer than we wait. */
  | 'STORE_BUSY'
  | 'INTERNAL';

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class RwbError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    // Messages and details name URLs and echo driver errors; redacting here, where every error that
    // crosses a boundary is made, keeps a password in an ES/MySQL URL off every surface at once.
    super(redactSecrets(message), options);
    this.name = 'RwbError';
    this.code = code;
    this.details = details === undefined ? undefined : redactDeep(details);
  }

  toJSON(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromPayload(payload: ErrorPayload): RwbError {
    return new RwbError(payload.code, payload.message, payload.details);
  }
}

/** Wraps anything thrown into an RwbError without losing the original as `cause`. */
export function toRwbError(err: unknown, fallback: ErrorCode = 'INTERNAL'): RwbError {
  if (err instanceof RwbError) return err;
  if (err instanceof Error) return new RwbError(fallback, err.message, undefined, { cause: err });
  return new RwbError(fallback, String(err));
}

export function isAbortError(err: unknown): boolean {
  return (
    (err instanceof RwbError && err.code === 'CANCELLED') ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'))
  );
}
