/**
 * Browser mode's answers for requests refused before a route runs, all in the API's
 * `{code, message}` shape: what Node's HTTP parser refuses goes through the handler both servers
 * share (engine/net/http-client-errors.ts); what fastify's router refuses (undecodable URL, long
 * parameters) is answered here.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorPayload } from '../errors.ts';
import { createClientErrorHandler, type ParserLimits } from '../net/http-client-errors.ts';

/** Longest request URL browser mode accepts (the app's own URLs are short). */
export const MAX_URL_LENGTH = 8 * 1024;

/** Node's default maxHeaderSize (request line + headers), which browser mode keeps. */
const BROWSER_MODE_LIMITS: ParserLimits = { maxUrlLength: MAX_URL_LENGTH, maxHeaderBytes: 16 * 1024 };

/** The server's `clientError` listener (fastify's `clientErrorHandler` option). */
export const handleClientError = createClientErrorHandler(BROWSER_MODE_LIMITS);

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
