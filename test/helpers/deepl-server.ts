/**
 * A local HTTP server that speaks the part of the DeepL API the query translator uses
 * (`POST /v2/translate`, form-encoded as deepl-node sends it, or JSON), so the real deepl-node
 * client is tested without the internet:
 *  - `Authorization: DeepL-Auth-Key <key>`; any other key → 403 like DeepL;
 *  - translations from a fixed dictionary keyed by target language; unknown text is echoed
 *    (what DeepL does with untranslatable text);
 *  - `failNext(429, n)` answers the next n translate calls with that status, to test retries;
 *  - `delayMs` holds every answer back, to test timeouts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DeeplServerOptions {
  apiKey: string;
  /** Target language (lower case, variant dropped: "en", "zh") → source text → translation. */
  dictionary: Record<string, Record<string, string>>;
  delayMs?: number;
}

export interface TranslateCall {
  texts: string[];
  source: string | null;
  target: string;
  status: number;
}

export interface DeeplServer {
  url: string;
  calls: TranslateCall[];
  failNext(status: number, times?: number): void;
  setDelay(ms: number): void;
  /** Forgets queued failures, the delay and the recorded calls. */
  reset(): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(body: string, contentType: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const add = (key: string, value: unknown): void => {
    const list = params.get(key) ?? [];
    if (Array.isArray(value)) list.push(...value.map(String));
    else list.push(String(value));
    params.set(key, list);
  };
  if (contentType.includes('application/json')) {
    for (const [key, value] of Object.entries(JSON.parse(body) as Record<string, unknown>))
      add(key, value);
  } else {
    for (const [key, value] of new URLSearchParams(body)) add(key, value);
  }
  return params;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export async function startDeeplServer(options: DeeplServerOptions): Promise<DeeplServer> {
  const calls: TranslateCall[] = [];
  const failures: number[] = [];
  let delayMs = options.delayMs ?? 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'POST' || path !== '/v2/translate') {
      send(response, 404, { message: `Not found: ${request.method} ${path}` });
      return;
    }
    const body = await readBody(request);
    const params = parseParams(body, String(request.headers['content-type'] ?? ''));
    const texts = params.get('text') ?? [];
    const source = params.get('source_lang')?.[0]?.toLowerCase() ?? null;
    const target = (params.get('target_lang')?.[0] ?? '').toLowerCase();
    const record = (status: number): void => {
      calls.push({ texts, source, target, status });
    };
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

    if (request.headers.authorization !== `DeepL-Auth-Key ${options.apiKey}`) {
      record(403);
      send(response, 403, { message: 'Wrong endpoint or invalid auth key' });
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      record(failure);
      send(response, failure, { message: 'Too many requests' });
      return;
    }
    if (texts.length === 0 || target === '') {
      record(400);
      send(response, 400, { message: 'Parameter "text" and "target_lang" are required' });
      return;
    }
    record(200);
    const byTarget = options.dictionary[target.split('-')[0]!] ?? {};
    send(response, 200, {
      translations: texts.map((text) => ({
        detected_source_language: (source ?? 'zh').toUpperCase(),
        text: byTarget[text] ?? text,
        billed_characters: text.length,
      })),
    });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      send(response, 500, { message: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    reset() {
      failures.length = 0;
      calls.length = 0;
      delayMs = options.delayMs ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
