/**
 * Build of the renderer alone (browser mode: `rwb ui` builds this when out/renderer is missing).
 * electron.vite.config.ts reuses the same settings for the desktop build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const rendererRoot = path.dirname(fileURLToPath(import.meta.url));

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  // Relative asset URLs work both under app://rwb/ and http://127.0.0.1:<port>/.
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(rendererRoot, '..', 'out', 'renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    // electron-vite defaults to unminified output; the bundle size is a tracked number (issue 5).
    minify: 'esbuild',
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: path.join(rendererRoot, 'index.html') },
  },
};

export default rendererConfig;
