/**
 * Renderer bundle size: builds the renderer with the app's own Vite config into a temporary
 * directory and reports every asset raw, gzip and brotli, plus what the first screen downloads
 * (index.html's script and stylesheet) versus what loads when an analyst screen is opened.
 * Writes bench/results/bundle-size.json. Measures only; asserts nothing.
 *
 *   npx tsx bench/bundle-size.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { buildRenderer } from '../engine/cli/commands/app.ts';
import { repoRoot } from '../engine/paths.ts';

interface Asset {
  file: string;
  bytes: number;
  gzip: number;
  brotli: number;
  initial: boolean;
}

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-bundle-'));
  try {
    const started = performance.now();
    await buildRenderer(() => undefined, dir);
    const buildSeconds = Math.round((performance.now() - started) / 100) / 10;
    const html = await fs.readFile(path.join(dir, 'index.html'), 'utf8');
    const initialFiles = new Set(
      [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!),
    );
    const assets: Asset[] = [];
    for (const name of (await fs.readdir(path.join(dir, 'assets'))).sort()) {
      const content = await fs.readFile(path.join(dir, 'assets', name));
      const file = `assets/${name}`;
      assets.push({
        file,
        bytes: content.length,
        gzip: gzipSync(content, { level: 9 }).length,
        brotli: brotliCompressSync(content).length,
        initial: initialFiles.has(file),
      });
    }
    const sum = (list: Asset[], key: 'bytes' | 'gzip' | 'brotli') =>
      list.reduce((s, a) => s + a[key], 0);
    const initial = assets.filter((a) => a.initial);
    const lazy = assets.filter((a) => !a.initial);
    const result = {
      benchmark: 'bundle-size',
      at: new Date().toISOString(),
      buildSeconds,
      total: {
        files: assets.length,
        kB: kb(sum(assets, 'bytes')),
        gzipKB: kb(sum(assets, 'gzip')),
        brotliKB: kb(sum(assets, 'brotli')),
      },
      initial: {
        files: initial.length,
        kB: kb(sum(initial, 'bytes')),
        gzipKB: kb(sum(initial, 'gzip')),
        brotliKB: kb(sum(initial, 'brotli')),
      },
      lazy: {
        files: lazy.length,
        kB: kb(sum(lazy, 'bytes')),
        gzipKB: kb(sum(lazy, 'gzip')),
        brotliKB: kb(sum(lazy, 'brotli')),
      },
      assets: assets.map((a) => ({
        file: a.file.replace(/-[\w-]{8}(?=\.\w+$)/, ''),
        kB: kb(a.bytes),
        gzipKB: kb(a.gzip),
        brotliKB: kb(a.brotli),
        initial: a.initial,
      })),
      notes:
        'Minified with esbuild (renderer/vite.config.ts). "initial" is what index.html loads; the analyst screens (Tune, Compare, Judgments, Experiments, Export) and the chart library load on first visit.',
    };
    const out = path.join(repoRoot(), 'bench', 'results', 'bundle-size.json');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      JSON.stringify({ total: result.total, initial: result.initial, lazy: result.lazy }, null, 2),
    );
    console.log(`wrote ${out}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
