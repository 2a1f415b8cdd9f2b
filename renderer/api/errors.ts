import type { ErrorCode, ErrorPayload } from '../../engine/errors.ts';

/**
 * The renderer's twin of the engine's RwbError: same `{code, message, details}`, rebuilt from
 * what crossed the wire (the renderer may import only types from engine/).
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }

  static fromPayload(
    payload: unknown,
    fallbackMessage = 'Unexpected answer from the workbench',
  ): ApiError {
    if (isErrorPayload(payload))
      return new ApiError(payload.code, payload.message, payload.details);
    return new ApiError('INTERNAL', fallbackMessage, payload);
  }

  toJSON(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Any thrown value as an ApiError (for state modules that show errors). */
export function toApiError(value: unknown): ApiError {
  if (value instanceof ApiError) return value;
  if (value instanceof Error)
    return new ApiError(value.name === 'AbortError' ? 'CANCELLED' : 'INTERNAL', value.message);
  return new ApiError('INTERNAL', String(value));
}
