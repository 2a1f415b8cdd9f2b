/**
 * Every size and time limit of the production search API in one place, so that the server, the
 * CLI flags and docs/serve.md name the same numbers. A limit exists so that one client (slow,
 * broken or hostile) cannot hold the process's memory, sockets or time: each has a default that a
 * normal shop front end never reaches.
 */
import { RwbError } from '../errors.ts';

export interface ServeLimits {
  /** Largest JSON body of POST /search (bytes). */
  bodyLimit: number;
  /** Largest uploaded image of POST /search/image (bytes); the whole multipart body may exceed it by MULTIPART_OVERHEAD_BYTES. */
  maxImageBytes: number;
  /** Longest request target (path + query string, in characters) before 414. */
  maxUrlLength: number;
  /** Largest request line + headers that Node's parser accepts (bytes) before 431 (or 414 when the request line alone is that long). */
  maxHeaderBytes: number;
  /** Time from connection (or the previous request on a kept-alive socket) until the headers are complete. */
  headersTimeoutMs: number;
  /** Time to receive the whole request, headers and body: a body that stops arriving ends here with 408. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive socket stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Concurrent TCP connections; further ones are closed at once by the kernel-facing listener. */
  maxConnections: number;
}

/**
 * keepAliveTimeout stays above the 60 s idle timeout of common load balancers (as fastify's own
 * default does), so that a balancer never sends a request on a socket we are closing.
 */
export const DEFAULT_SERVE_LIMITS: Readonly<ServeLimits> = Object.freeze({
  bodyLimit: 1024 * 1024,
  maxImageBytes: 10 * 1024 * 1024,
  maxUrlLength: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1024,
});

/** Room for the multipart framing and the `request` JSON part around the image itself. */
export const MULTIPART_OVERHEAD_BYTES = 128 * 1024;

/** Fills in the defaults and refuses combinations Node would refuse or that cannot work. */
export function resolveServeLimits(partial: Partial<ServeLimits> = {}): ServeLimits {
  const limits: ServeLimits = { ...DEFAULT_SERVE_LIMITS };
  for (const [key, value] of Object.entries(partial) as Array<[keyof ServeLimits, unknown]>) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_SERVE_LIMITS, key))
      throw new RwbError('INVALID_INPUT', `Unknown serve limit "${String(key)}"`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new RwbError('INVALID_INPUT', `Serve limit ${key} must be a whole number ≥ 1`);
    limits[key] = value;
  }
  // A limit left at its default follows a tighter one it depends on (a short request timeout
  // shortens the headers timeout); two explicit ones that contradict each other are an error.
  if (partial.headersTimeoutMs === undefined)
    limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  if (partial.maxUrlLength === undefined)
    limits.maxUrlLength = Math.min(limits.maxUrlLength, limits.maxHeaderBytes);
  // Node checks the headers deadline inside the request deadline; a longer one would never fire.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RwbError(
      'INVALID_INPUT',
      `The headers timeout (${limits.headersTimeoutMs} ms) cannot be longer than the request timeout (${limits.requestTimeoutMs} ms)`,
    );
  }
  if (limits.maxUrlLength > limits.maxHeaderBytes) {
    throw new RwbError(
      'INVALID_INPUT',
      `The URL length limit (${limits.maxUrlLength}) cannot exceed the header size limit (${limits.maxHeaderBytes} bytes), which includes the URL`,
    );
  }
  return limits;
}

/**
 * How often Node looks for requests past their deadline (it defaults to every 30 s, which would
 * let a 1 s timeout hold a socket for 30 s): a quarter of the shortest deadline, 50 ms–1 s.
 */
export function deadlineCheckIntervalMs(limits: ServeLimits): number {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return Math.min(1000, Math.max(50, Math.floor(shortest / 4)));
}
