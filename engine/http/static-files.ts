/**
 * Serves the built renderer (out/renderer) for browser mode. Small on purpose: a handful of
 * hashed assets and one index.html; no directory listings, nothing outside the root.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

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

export function registerStaticRoutes(app: FastifyInstance, rendererDir: string): void {
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
      reply.header('cache-control', 'no-cache');
    } else if (file.includes(`${path.sep}assets${path.sep}`)) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    return reply.send(createReadStream(file));
  });
}
