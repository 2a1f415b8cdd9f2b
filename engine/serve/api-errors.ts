/**
 * How the production search API answers errors: always JSON `{code, message, details?}`, a 4xx
 * that names the field for bad input, 502/504 for Elasticsearch trouble, and never a stack trace
 * or the cluster's address (clients of a shop's search do not need to know where ES lives).
 */
import { errors as esErrors } from '@elastic/elasticsearch';
import { z } from 'zod';
import { RwbError, toRwbError } from '../errors.ts';
import { redactSecrets, redactUrl } from '../net/redact.ts';

export const ApiErrorSchema = z.object({
  /** INVALID_INPUT, PARSE_ERROR, NOT_FOUND, REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE, HEADERS_TOO_LARGE, ES_ERROR, ES_UNREACHABLE, ES_TIMEOUT, UNAVAILABLE, INTERNAL. */
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * A refusal of the request itself (too large, too slow, malformed framing) with its own HTTP status,
 * for the statuses that no RwbError code maps to (408, 413, 414, 415, 431).
 */
export class ClientRequestError extends RwbError {
  constructor(
    readonly status: number,
    readonly apiCode: string,
    message: string,
    details?: unknown,
  ) {
    super('INVALID_INPUT', message, details);
    this.name = 'ClientRequestError';
  }
}

export interface ApiErrorReply {
  status: number;
  body: ApiError;
  /** True when the server should log it (a fault on our side or the cluster's, not the client's). */
  serverFault: boolean;
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 5) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** ES's own words (`index_not_found_exception: no such index [x]`) without the URL we put around them. */
function esReason(err: RwbError, esUrls: readonly string[]): string {
  let message = err.message;
  // RwbError messages arrive with credentials already redacted: match that spelling too.
  for (const url of esUrls.flatMap((u) => [u, redactUrl(u)]))
    message = message.split(url).join('the cluster');
  return redactSecrets(message.replace(/^Elasticsearch at the cluster /, 'Elasticsearch '));
}

/** Only the shape of validation details goes out (paths and messages), never internal objects. */
function safeDetails(details: unknown): unknown {
  if (details === undefined || details === null || typeof details !== 'object') return undefined;
  const record = details as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ['issues', 'where', 'position', 'kind', 'input', 'field'] as const) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export function apiErrorReply(err: unknown, esUrls: readonly string[] = []): ApiErrorReply {
  const error = toRwbError(err);
  const details = safeDetails(error.details);
  const withDetails = (status: number, code: string, message: string): ApiErrorReply => ({
    status,
    body: details === undefined ? { code, message } : { code, message, details },
    serverFault: status >= 500,
  });
  if (error instanceof ClientRequestError)
    return withDetails(error.status, error.apiCode, error.message);
  switch (error.code) {
    case 'INVALID_INPUT':
    case 'INVALID_CONFIG':
    case 'BAD_ROW':
      return withDetails(400, 'INVALID_INPUT', error.message);
    case 'PARSE_ERROR':
      return withDetails(400, 'PARSE_ERROR', error.message);
    case 'NOT_FOUND':
      return withDetails(404, 'NOT_FOUND', error.message);
    case 'CANCELLED':
      return {
        status: 499,
        body: { code: 'CANCELLED', message: 'The request was cancelled' },
        serverFault: false,
      };
    case 'ES_UNREACHABLE':
    case 'ES_ERROR': {
      const timedOut = causes(error).some((cause) => cause instanceof esErrors.TimeoutError);
      if (timedOut) {
        return {
          status: 504,
          body: { code: 'ES_TIMEOUT', message: 'Elasticsearch did not answer in time; try again' },
          serverFault: true,
        };
      }
      if (error.code === 'ES_UNREACHABLE') {
        return {
          status: 502,
          body: {
            code: 'ES_UNREACHABLE',
            message: 'Elasticsearch is not reachable from the search service',
          },
          serverFault: true,
        };
      }
      return {
        status: 502,
        body: { code: 'ES_ERROR', message: esReason(error, esUrls) },
        serverFault: true,
      };
    }
    case 'MODEL_ERROR':
      return {
        status: 503,
        body: { code: 'UNAVAILABLE', message: 'A model the search needs is not available' },
        serverFault: true,
      };
    default:
      return {
        status: 500,
        body: { code: 'INTERNAL', message: 'Internal error in the search service' },
        serverFault: true,
      };
  }
}

export function invalidInput(message: string, where: string): RwbError {
  return new RwbError('INVALID_INPUT', message, { where });
}
