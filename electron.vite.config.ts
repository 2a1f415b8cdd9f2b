/**
 * Desktop build: main (ESM, dependencies left to node_modules), preload (CommonJS, because a
 * sandboxed preload cannot be an ES module) and the renderer (shared with browser mode).
 */
import path from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './renderer/vite.config.ts';

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: path.join(root, 'out', 'main'),
      rollupOptions: { input: { index: path.join(root, 'main', 'index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: path.join(root, 'out', 'preload'),
      rollupOptions: {
        input: { preload: path.join(root, 'main', 'preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
