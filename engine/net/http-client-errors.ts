/**
 * Answers for requests that Node's HTTP parser refuses before fastify sees them (a URL or headers
 * over the size limit, malformed framing, a request that does not arrive in time). Node reports
 * those as the server's `clientError` event with the raw socket; we write the HTTP answer ourselves,
 * in the API's `{code, message}` shape, and close the connection (its framing can no longer be
 * trusted). Both servers use this: `rwb serve` (engine/serve) and browser mode (engine/http).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** The limits a parser-level answer names. */
export interface ParserLimits {
  maxUrlLength: number;
  /** Request line + headers (Node's maxHeaderSize). */
  maxHeaderBytes: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The `{code, message}` shape both servers answer errors with. */
export interface ClientErrorBody {
  code: string;
  message: string;
}

interface ParserError extends Error {
  code?: string;
  /** llhttp's reason ("Invalid header value char"). */
  reason?: string;
  /** The chunk being parsed when the error was found (Node sets a Buffer for parser errors). */
  rawPacket?: unknown;
}

export interface ClientErrorAnswer {
  status: number;
  body: ClientErrorBody;
}

/** A complete HTTP/1.1 response with a JSON body that closes the connection. */
export function rawJsonResponse({ status, body }: ClientErrorAnswer): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    'X-Content-Type-Options: nosniff\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

const METHOD_AND_TARGET = /^[A-Z]{3,10} [^\s]/;

/**
 * Node counts the request line in its header size limit, so both a huge URL and huge headers end
 * as HPE_HEADER_OVERFLOW. When the chunk that overflowed starts with a request line that has not
 * ended (or ended past the URL limit), the URL is what was too long.
 */
function requestLineTooLong(packet: unknown, limits: ParserLimits): boolean {
  if (!Buffer.isBuffer(packet)) return false;
  const head = packet.subarray(0, limits.maxHeaderBytes + 64).toString('latin1');
  if (!METHOD_AND_TARGET.test(head)) return false;
  const lineEnd = head.indexOf('\n');
  return lineEnd === -1 || lineEnd > limits.maxUrlLength;
}

/** What to answer for a parser-level error; null when there is nobody to answer (reset socket). */
export function answerForClientError(
  err: ParserError,
  limits: ParserLimits,
): ClientErrorAnswer | null {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        body: {
          code: 'REQUEST_TIMEOUT',
          message:
            limits.headersTimeoutMs === undefined || limits.requestTimeoutMs === undefined
              ? 'The request did not arrive in time'
              : `The request did not arrive in time (headers within ${limits.headersTimeoutMs} ms, the whole request within ${limits.requestTimeoutMs} ms)`,
        },
      };
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(err.rawPacket, limits)
        ? {
            status: 414,
            body: {
              code: 'URI_TOO_LONG',
              message: `The URL is longer than ${limits.maxUrlLength} characters`,
            },
          }
        : {
            status: 431,
            body: {
              code: 'HEADERS_TOO_LARGE',
              message: `The request line and headers are larger than ${limits.maxHeaderBytes} bytes`,
            },
          };
    default: {
      const reason = err.reason ?? err.message;
      return {
        status: 400,
        body: {
          code: 'INVALID_INPUT',
          message: `Malformed HTTP request: ${reason}${err.code === undefined ? '' : ` (${err.code})`}`,
        },
      };
    }
  }
}

interface SocketWithResponse extends Socket {
  /** The response Node has started for this socket, if any (not in @types/node). */
  _httpMessage?: { headersSent?: boolean } | null;
}

/** fastify's `clientErrorHandler`: answer in the API shape when nothing was sent yet, then close. */
export function createClientErrorHandler(
  limits: ParserLimits,
  onAnswer: (status: number) => void = () => undefined,
): (err: ParserError, socket: Socket) => void {
  return (err, socket) => {
    if (socket.destroyed) return;
    const answer = answerForClientError(err, limits);
    if (answer !== null) onAnswer(answer.status);
    const started = (socket as SocketWithResponse)._httpMessage?.headersSent === true;
    if (answer === null || started || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(rawJsonResponse(answer));
    // A client that does not read its answer must not keep the socket: close it regardless.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}
