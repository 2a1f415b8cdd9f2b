/** The serve limits (defaults, validation) and the answers to requests Node's parser refuses. */
import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { answerForClientError, rawJsonResponse } from '../../engine/net/http-client-errors.ts';
import {
  DEFAULT_SERVE_LIMITS,
  deadlineCheckIntervalMs,
  resolveServeLimits,
} from '../../engine/serve/limits.ts';

const limits = resolveServeLimits();
const parserError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`Parse Error: ${code}`), { code, ...extra });

describe('resolveServeLimits', () => {
  it('fills in the defaults and takes overrides', () => {
    expect(limits).toEqual(DEFAULT_SERVE_LIMITS);
    expect(resolveServeLimits({ requestTimeoutMs: 60_000, headersTimeoutMs: undefined })).toEqual({
      ...DEFAULT_SERVE_LIMITS,
      requestTimeoutMs: 60_000,
    });
    // A default that a tighter explicit limit contradicts follows it.
    expect(resolveServeLimits({ requestTimeoutMs: 5000 })).toMatchObject({
      requestTimeoutMs: 5000,
      headersTimeoutMs: 5000,
    });
    expect(resolveServeLimits({ maxHeaderBytes: 4096 })).toMatchObject({
      maxHeaderBytes: 4096,
      maxUrlLength: 4096,
    });
  });

  it('refuses non-whole or non-positive numbers, unknown keys and impossible combinations', () => {
    for (const bad of [{ bodyLimit: 0 }, { maxConnections: 1.5 }, { keepAliveTimeoutMs: -1 }]) {
      expect(() => resolveServeLimits(bad)).toThrow(/must be a whole number ≥ 1/);
    }
    expect(() => resolveServeLimits({ toString: 5 } as never)).toThrow(RwbError);
    expect(() => resolveServeLimits({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).toThrow(
      'The headers timeout (2000 ms) cannot be longer than the request timeout (1000 ms)',
    );
    expect(() => resolveServeLimits({ maxUrlLength: 20_000 })).toThrow(/cannot exceed the header/);
  });

  it('checks deadlines often enough for the shortest timeout', () => {
    expect(deadlineCheckIntervalMs(limits)).toBe(1000);
    expect(
      deadlineCheckIntervalMs(
        resolveServeLimits({ headersTimeoutMs: 400, requestTimeoutMs: 1000 }),
      ),
    ).toBe(100);
    expect(
      deadlineCheckIntervalMs(resolveServeLimits({ headersTimeoutMs: 1, requestTimeoutMs: 1 })),
    ).toBe(50);
  });
});

describe('answerForClientError', () => {
  it('tells a too-long URL (414) from too-large headers (431) by the chunk that overflowed', () => {
    const longTarget = Buffer.from(`GET /${'a'.repeat(20_000)}`);
    expect(
      answerForClientError(parserError('HPE_HEADER_OVERFLOW', { rawPacket: longTarget }), limits),
    ).toMatchObject({ status: 414, body: { code: 'URI_TOO_LONG' } });
    const bigHeaders = Buffer.from(`GET / HTTP/1.1\r\nX-A: ${'b'.repeat(20_000)}`);
    expect(
      answerForClientError(parserError('HPE_HEADER_OVERFLOW', { rawPacket: bigHeaders }), limits),
    ).toMatchObject({ status: 431, body: { code: 'HEADERS_TOO_LARGE' } });
    // Mid-stream chunk (not a request line) or no packet: headers, the safe reading.
    expect(
      answerForClientError(
        parserError('HPE_HEADER_OVERFLOW', { rawPacket: Buffer.from('bbbb') }),
        limits,
      )?.status,
    ).toBe(431);
    expect(answerForClientError(parserError('HPE_HEADER_OVERFLOW'), limits)?.status).toBe(431);
  });

  it('answers timeouts with 408, other parser errors with 400, and resets with nothing', () => {
    expect(answerForClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), limits)).toEqual({
      status: 408,
      body: {
        code: 'REQUEST_TIMEOUT',
        message:
          'The request did not arrive in time (headers within 10000 ms, the whole request within 30000 ms)',
      },
    });
    expect(
      answerForClientError(
        parserError('HPE_INVALID_HEADER_TOKEN', { reason: 'Invalid header token' }),
        limits,
      )?.body,
    ).toEqual({
      code: 'INVALID_INPUT',
      message: 'Malformed HTTP request: Invalid header token (HPE_INVALID_HEADER_TOKEN)',
    });
    expect(answerForClientError(parserError('ECONNRESET'), limits)).toBeNull();
  });

  it('writes a complete HTTP response that closes the connection', () => {
    const text = rawJsonResponse({ status: 414, body: { code: 'URI_TOO_LONG', message: 'é' } });
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toBe(
      [
        'HTTP/1.1 414 URI Too Long',
        'Content-Type: application/json; charset=utf-8',
        'X-Content-Type-Options: nosniff',
        `Content-Length: ${Buffer.byteLength(body!)}`,
        'Connection: close',
      ].join('\r\n'),
    );
    expect(JSON.parse(body!)).toEqual({ code: 'URI_TOO_LONG', message: 'é' });
  });
});
