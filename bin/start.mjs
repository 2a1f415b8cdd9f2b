#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed, otherwise browser mode
// (`rwb ui`) with a clear note on how to get Electron. Extra arguments go to `rwb ui`.
import { existsSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or null when its download was skipped or failed. */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = path.join(override || path.join(pkgDir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function desktopBuildPresent() {
  return ['out/main/index.js', 'out/preload/preload.cjs', 'out/renderer/index.html'].every((f) => existsSync(path.join(root, f)));
}

const binary = process.env.RWB_BROWSER_MODE === '1' ? null : electronBinary();
if (binary) {
  if (!desktopBuildPresent()) {
    console.log('Building the desktop app (electron-vite build)…');
    const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
} else {
  console.log(
    [
      'Electron is not installed here (its binary download was skipped or is not reachable), so the',
      'workbench starts in BROWSER MODE: the same app, served on 127.0.0.1 for your browser (URL below).',
      '',
      'To get the desktop app, on a machine that can reach the Electron release downloads run:',
      '    node node_modules/electron/install.js',
      'or point ELECTRON_MIRROR at a reachable mirror and run `npm rebuild electron`; then `npm start` again.',
      '',
    ].join('\n'),
  );
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../engine/cli/main.ts');
  const args = process.argv.slice(2);
  // An interactive start opens the browser; scripts and CI just get the URL.
  if (process.stdout.isTTY && !process.env.CI && !args.includes('--open')) args.push('--open');
  process.exitCode = await main([process.argv[0], path.join(root, 'bin', 'rwb.mjs'), 'ui', ...args]);
}
