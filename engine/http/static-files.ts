/**
 * Serves the built renderer (out/renderer) for browser mode. Small on purpose: a handful of
 * hashed assets and one index.html; no directory listings, nothing outside the root.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { API_TOKEN_META } from './api-guard.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The same policy the desktop window enforces: our own scripts and styles only; product images
 * may come from any http(s) host because catalogs link them from their CDNs.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https: http:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Resolves a URL path inside `root`; null when it would escape it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const target = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  return target === root || target.startsWith(rootWithSep) ? target : null;
}

/**
 * index.html with the API token as `<meta name="rwb-api-token">` first thing in its head. Only
 * this page's own origin can read it: there are no CORS headers and framing is refused.
 */
export function withApiToken(html: string, token: string): string {
  const meta = `<meta name="${API_TOKEN_META}" content="${token}" />`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (!head) return meta + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + meta + html.slice(at);
}

export function registerStaticRoutes(app: FastifyInstance, rendererDir: string, apiToken: string): void {
  const root = path.resolve(rendererDir);
  const indexFile = path.join(root, 'index.html');

  app.get('/*', async (request, reply) => {
    const urlPath = request.url;
    if (urlPath.startsWith('/api/') || urlPath === '/api') {
      return reply.code(404).send({ code: 'NOT_FOUND', message: `No API route ${request.method} ${urlPath}` });
    }
    const resolved = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath);
    if (!resolved) return reply.code(404).send({ code: 'NOT_FOUND', message: `Not found: ${urlPath}` });
    let file = resolved;
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      // Unknown paths without an extension are app routes: answer with the app itself.
      if (path.extname(file)) return reply.code(404).send({ code: 'NOT_FOUND', message: `Not found: ${urlPath}` });
      file = indexFile;
    }
    const ext = path.extname(file).toLowerCase();
    reply.header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    reply.header('x-content-type-options', 'nosniff');
    if (ext === '.html') {
      reply.header('content-security-policy', RENDERER_CSP);
      // The page carries this launch's token: never keep it in a cache.
      reply.header('cache-control', 'no-store');
      return reply.send(withApiToken(await fs.readFile(file, 'utf8'), apiToken));
    } else if (file.includes(`${path.sep}assets${path.sep}`)) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    return reply.send(createReadStream(file));
  });
}
