/**
 * Browser mode: `POST /api/<op>` for calls, one shared `GET /api/events` stream for job events
 * (read with fetch so the same code runs in browsers and in Node tests, and so it can carry a
 * header, which EventSource cannot), reconnecting while anyone listens. Every request carries the
 * launch's API token, which the server put into the page as `<meta name="rwb-api-token">`.
 */
import type { Envelope } from '../../engine/api/wire.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { isErrorPayload } from './errors.ts';
import { SseParser } from './sse.ts';
import type { ApiTransport } from './transport.ts';

export interface HttpTransportOptions {
  /** Origin of the workbench server; '' means the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Wait before reconnecting the event stream. */
  reconnectDelayMs?: number;
  /** The server's API token; by default read from the page's `<meta name="rwb-api-token">`. */
  token?: string;
}

/** Names shared with engine/http/api-guard.ts (the renderer imports no engine code at runtime). */
const TOKEN_HEADER = 'x-rwb-token';
const TOKEN_META = 'rwb-api-token';

function tokenFromPage(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  return (
    document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`)?.content || undefined
  );
}

export function createHttpTransport(options: HttpTransportOptions = {}): ApiTransport {
  const base = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const token = options.token ?? tokenFromPage();
  const auth: Record<string, string> = token ? { [TOKEN_HEADER]: token } : {};
  const listeners = new Set<(event: JobEvent) => void>();
  let stream: AbortController | null = null;

  async function invoke(
    name: string,
    input: unknown,
    signal?: AbortSignal,
  ): Promise<Envelope<unknown>> {
    let response: Response;
    try {
      response = await doFetch(`${base}/api/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(input ?? null),
        signal,
      });
    } catch (err) {
      if (signal?.aborted)
        return { ok: false, error: { code: 'CANCELLED', message: `${name} was cancelled` } };
      const why = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `The workbench server is not reachable (${why}). Is \`rwb ui\` still running?`,
        },
      };
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    if (response.ok) return { ok: true, value: body };
    if (isErrorPayload(body)) return { ok: false, error: body };
    return {
      ok: false,
      error: { code: 'INTERNAL', message: `${name}: the server answered HTTP ${response.status}` },
    };
  }

  async function readEvents(controller: AbortController): Promise<void> {
    const delay = options.reconnectDelayMs ?? 2000;
    while (!controller.signal.aborted) {
      try {
        const response = await doFetch(`${base}/api/events`, {
          headers: { accept: 'text/event-stream', ...auth },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) {
            if (message.event !== 'job') continue;
            const event = JSON.parse(message.data) as JobEvent;
            for (const listener of listeners) listener(event);
          }
        }
      } catch {
        // Server restarted or network blip: reconnect below unless we were closed on purpose.
      }
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  function subscribe(listener: (event: JobEvent) => void): () => void {
    listeners.add(listener);
    if (!stream) {
      const controller = new AbortController();
      stream = controller;
      void readEvents(controller);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && stream) {
        stream.abort();
        stream = null;
      }
    };
  }

  return { kind: 'http', invoke, subscribe };
}
