/**
 * HTTP over a plain TCP socket, for requests that fetch() refuses to send (repeated headers, raw
 * non-ASCII header bytes, a body shorter than its Content-Length, a 100 kB URL) and for watching
 * when the server closes the connection.
 */
import net from 'node:net';

export interface RawResponse {
  /** Status of the first response on the socket; null when the server closed without answering. */
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent. */
  raw: string;
}

function parseResponse(raw: string): RawResponse {
  const match = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/.exec(raw);
  if (match === null) return { status: null, headers: {}, body: '', raw };
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, headEnd === -1 ? raw.length : headEnd);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = headEnd === -1 ? '' : raw.slice(headEnd + 4);
  const length = Number(headers['content-length']);
  if (Number.isInteger(length)) body = Buffer.from(body).subarray(0, length).toString();
  return { status: Number(match[1]), headers, body, raw };
}

/**
 * Writes `data` (in the given pieces, in order) and resolves with what came back once the server
 * closes the connection. The socket is never ended from our side: a server that waits for more
 * bytes must give up by itself, which is what the timeout tests assert.
 */
export function rawExchange(port: number, ...pieces: Array<string | Buffer>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we still write a long request: that is an answer, not a failure.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('utf8'))));
    socket.on('connect', () => {
      for (const piece of pieces) socket.write(piece);
    });
  });
}

/** A request head: request line, `Host`, the given header lines, blank line. */
export function requestHead(requestLine: string, headerLines: Array<string | Buffer> = []): Buffer {
  const parts: Buffer[] = [Buffer.from(`${requestLine}\r\nHost: 127.0.0.1\r\n`)];
  for (const line of headerLines) parts.push(Buffer.from(line), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** A complete request that asks the server to close after answering. */
export function closingRequest(
  method: string,
  target: string,
  headerLines: Array<string | Buffer> = [],
  body: string | Buffer = '',
): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const head = requestHead(`${method} ${target} HTTP/1.1`, [
    ...headerLines,
    'Connection: close',
    ...(method === 'GET' ? [] : [`Content-Length: ${payload.length}`]),
  ]);
  return Buffer.concat([head, payload]);
}
