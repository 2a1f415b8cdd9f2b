/**
 * `rwb ui`: browser mode. Builds the renderer when it is missing, serves it and the contract on
 * 127.0.0.1, prints the URL and runs until Ctrl-C. `npm start` falls back to this when the
 * Electron binary is not installed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { createApiContext, defaultIndexFromEnv } from '../../api/context.ts';
import { sessionOf } from '../../api/ops/workbench-session.ts';
import { esConnectionFromEnv, EsConnectionSchema } from '../../config/connections.ts';
import { RwbError } from '../../errors.ts';
import { startHttpServer, type RunningHttpServer } from '../../http/server.ts';
import { isLoopbackHost } from '../../http/host-check.ts';
import { repoRoot } from '../../paths.ts';
import { wholeNumberFlag } from '../flags.ts';

export interface BrowserModeOptions {
  port: number;
  host: string;
  rendererDir?: string;
  rebuild?: boolean;
  index?: string;
  esUrl?: string;
  log?: (line: string) => void;
}

export function defaultRendererDir(): string {
  return path.join(repoRoot(), 'out', 'renderer');
}

/** Builds the renderer with the same Vite config the desktop build uses (into out/renderer unless told). */
export async function buildRenderer(log: (line: string) => void, outDir?: string): Promise<void> {
  const config = path.join(repoRoot(), 'renderer', 'vite.config.ts');
  if (!existsSync(config)) throw new RwbError('NOT_FOUND', `Cannot build the app: ${config} is missing`);
  log('Building the app (first run only; takes a few seconds)…');
  const { build } = await import('vite');
  await build({ configFile: config, logLevel: 'warn', ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) });
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<{ server: RunningHttpServer; close(): Promise<void> }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rendererDir = path.resolve(options.rendererDir ?? defaultRendererDir());
  if (options.rendererDir && !existsSync(path.join(rendererDir, 'index.html'))) {
    throw new RwbError('NOT_FOUND', `--renderer-dir ${rendererDir} has no index.html (build it with \`npm run build\`)`);
  }
  if (!options.rendererDir && (options.rebuild || !existsSync(path.join(rendererDir, 'index.html')))) await buildRenderer(log);

  const es = options.esUrl ? EsConnectionSchema.parse({ ...esConnectionFromEnv(), url: options.esUrl }) : esConnectionFromEnv();
  const ctx = createApiContext({ mode: 'browser', es, defaultIndex: options.index ?? defaultIndexFromEnv() });
  const server = await startHttpServer({ ctx, rendererDir, host: options.host, port: options.port });
  return {
    server,
    async close() {
      await server.close();
      // The query encoders' worker threads would keep the process alive after a search.
      await sessionOf(ctx).close();
      await ctx.close();
    },
  };
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => process.stdout.write(`(could not open a browser; open ${url} yourself)\n`));
    child.unref();
  } catch {
    process.stdout.write(`(could not open a browser; open ${url} yourself)\n`);
  }
}

/** How long a stop may take before the process exits anyway (the issue asks for 5 s at most). */
const SHUTDOWN_GRACE_MS = 3000;

/**
 * Waits for SIGINT/SIGTERM, then closes. A stopped workbench must exit even when something still
 * holds the event loop (a model worker, an ES socket, a job that ignores its abort signal) or the
 * close itself hangs: after the grace period, or on a second signal, the process exits.
 */
function untilSignalled(close: () => Promise<void>): Promise<void> {
  const forceExit = (why: string) => {
    process.stderr.write(`${why}: exiting now.\n`);
    process.exit(0);
  };
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return forceExit('Stopped twice');
      stopping = true;
      process.stdout.write('\nStopping…\n');
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      // Referenced while close() runs: its hanging on a handle must not be mistaken for "done".
      const timer = setTimeout(() => forceExit('Shutdown took too long'), SHUTDOWN_GRACE_MS);
      void close()
        .catch((err: unknown) => process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`))
        .finally(() => {
          clearTimeout(timer);
          // Closed: exit normally, unless a leftover handle keeps the loop alive past the deadline.
          setTimeout(() => forceExit('Something still held the process after stopping'), Math.max(0, deadline - Date.now())).unref();
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerAppCommands(program: Command): void {
  program
    .command('ui')
    .description('Browser mode: serve the workbench on 127.0.0.1 and print its URL (runs until Ctrl-C)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '5173')
    .option('--host <address>', 'interface to bind; anything but loopback exposes the workbench to your network', '127.0.0.1')
    .option('--open', 'open the URL in the default browser')
    .option('--renderer-dir <dir>', 'serve a prebuilt renderer from this directory instead of out/renderer')
    .option('--rebuild', 'rebuild the renderer even when out/renderer exists')
    .option('--index <name>', 'products index the screens use (default: RWB_INDEX or search_products)')
    .option('--es <url>', 'Elasticsearch URL (default: RWB_ES_URL or http://127.0.0.1:9200)')
    .action(async (opts: { port: string; host: string; open?: boolean; rendererDir?: string; rebuild?: boolean; index?: string; es?: string }) => {
      const running = await startBrowserMode({
        port: wholeNumberFlag('--port', opts.port, { min: 0, max: 65_535 }),
        host: opts.host,
        rendererDir: opts.rendererDir,
        rebuild: opts.rebuild,
        index: opts.index,
        esUrl: opts.es,
      });
      const { url } = running.server;
      if (!isLoopbackHost(opts.host)) {
        process.stdout.write(`warning: listening on ${opts.host}: anyone who can reach this machine can use the workbench (there is no login).\n`);
      }
      process.stdout.write(`Relevance Workbench (browser mode) is running at ${url}\nPress Ctrl-C to stop.\n`);
      if (opts.open) openInBrowser(url);
      await untilSignalled(running.close);
    });
}
