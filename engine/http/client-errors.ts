/**
 * Browser mode's answers for requests refused before a route runs, all in the API's
 * `{code, message}` shape: what Node's HTTP parser refuses (headers or URL over the size limit,
 * broken framing, a request that does not arrive in time: the server's `clientError` event, where
 * we write the raw HTTP answer ourselves) and what fastify's router refuses (undecodable URL).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorPayload } from '../errors.ts';

/** Longest request URL browser mode accepts (the app's own URLs are short). */
export const MAX_URL_LENGTH = 8 * 1024;

interface ParserError extends Error {
  code?: string;
  /** The chunk being parsed when llhttp gave up (Node sets a Buffer for parser errors). */
  rawPacket?: unknown;
}

export interface RawAnswer {
  status: number;
  body: ErrorPayload;
}

function invalid(status: number, message: string): RawAnswer {
  return { status, body: { code: 'INVALID_INPUT', message } };
}

/** A whole HTTP/1.1 response that closes the connection (its framing can no longer be trusted). */
export function rawJsonResponse({ status, body }: RawAnswer): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'X-Content-Type-Options: nosniff\r\n' +
    'Connection: close\r\n\r\n' +
    json
  );
}

/**
 * Node counts the request line into its header size limit, so a huge URL and huge headers both
 * end as HPE_HEADER_OVERFLOW. When the chunk that overflowed starts with a request line that never
 * ended, or ended past our URL limit, it was the URL.
 */
function urlOverflowed(packet: unknown): boolean {
  if (!Buffer.isBuffer(packet)) return false;
  const head = packet.subarray(0, MAX_URL_LENGTH + 64).toString('latin1');
  if (!/^[A-Z]{3,10} \S/.test(head)) return false;
  const lineEnd = head.indexOf('\n');
  return lineEnd === -1 || lineEnd > MAX_URL_LENGTH;
}

/** The answer to a parser-level error; null when the peer is gone and nothing can be sent. */
export function answerForClientError(err: ParserError): RawAnswer | null {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return urlOverflowed(err.rawPacket)
        ? invalid(414, `Request URL too long (limit ${MAX_URL_LENGTH} characters)`)
        : invalid(431, 'Request headers too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return invalid(408, 'The request did not arrive in time');
    default:
      return invalid(400, `Malformed HTTP request${err.code ? ` (${err.code})` : ''}`);
  }
}

/** The server's `clientError` listener (fastify's `clientErrorHandler` option). */
export function handleClientError(err: ParserError, socket: Socket): void {
  const answer = socket.destroyed ? null : answerForClientError(err);
  if (answer && socket.writable) socket.end(rawJsonResponse(answer));
  // end() flushes the answer first; destroy whatever is left after a grace period.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** fastify's `frameworkErrors` option: router-level refusals (bad URL encoding, long params). */
export function handleFrameworkError(
  err: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  void reply
    .code(status)
    .send({
      code: 'INVALID_INPUT',
      message: `Request rejected: ${err.message}`,
    } satisfies ErrorPayload);
}
