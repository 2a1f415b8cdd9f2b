/** Assertions shared by the `rwb serve` tests that speak raw HTTP. */
import { expect } from 'vitest';
import type { RawResponse } from './raw-http.ts';

/** The server still answers, and is healthy. */
export async function expectAlive(api: { url: string }): Promise<void> {
  const response = await fetch(`${api.url}/health`);
  expect(response.status).toBe(200);
  expect((await response.json()).status).toBe('ok');
}

/** An answer with this status whose body is the API's error shape; returns its message. */
export function expectApiError(response: RawResponse, status: number, code: string): string {
  expect(response.status, response.raw.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(Object.keys(body).every((key) => ['code', 'message', 'details'].includes(key))).toBe(true);
  return body.message;
}
