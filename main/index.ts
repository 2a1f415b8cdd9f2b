/**
 * Electron main: one hardened window on app://rwb/, IPC relayed from the contract to the engine
 * host — a utility process (`utilityProcess.fork`) that runs every operation, so ingest,
 * evaluation and tuning never block this process — job events forwarded on one channel, and
 * secrets kept with safeStorage here (the host only receives their decrypted values).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, safeStorage, utilityProcess } from 'electron';
import { JOB_EVENTS_CHANNEL } from '../engine/api/wire.ts';
import { createEngineClient, type EngineClient, type HostProcess } from './engine-client.ts';
import type { FromHost, ToHost } from './engine-protocol.ts';
import { registerIpcRelay } from './ipc.ts';
import { registerAppScheme, serveRenderer } from './protocol.ts';
import { createSecretVault } from './secret-vault.ts';
import { APP_ORIGIN, applySessionPolicy, isAppUrl } from './security.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const preloadFile = path.join(here, '..', 'preload', 'preload.cjs');

registerAppScheme();

let engine: EngineClient | null = null;
const windows = new Set<BrowserWindow>();

/**
 * The host's entry is a source file next to the app (not part of main's bundle): the engine runs
 * from its TypeScript sources through tsx, so its worker threads find their files.
 */
export function engineHostEntry(appPath: string): string {
  return path.join(appPath, 'main', 'engine-host-entry.mjs');
}

function spawnHost(): HostProcess {
  const child = utilityProcess.fork(engineHostEntry(app.getAppPath()), [], {
    serviceName: 'Relevance Workbench engine',
    stdio: 'inherit',
    cwd: app.getAppPath(),
  });
  return {
    postMessage: (message: ToHost) => child.postMessage(message),
    onMessage: (listener) =>
      child.on('message', (message: unknown) => listener(message as FromHost)),
    onExit: (listener) => child.on('exit', (code: number) => listener(code)),
    kill: () => void child.kill(),
  };
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'Relevance Workbench',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(() => {
  applySessionPolicy();
  serveRenderer(rendererDir);
  const vault = createSecretVault(safeStorage, path.join(app.getPath('userData'), 'secrets.json'));
  // Said once at start (and again by every refused save): on a Linux desktop without a keyring
  // safeStorage's basic_text fallback is no protection, so nothing is stored.
  const vaultProblem = vault.unavailableReason();
  if (vaultProblem !== null) console.error(`[rwb main] secrets: ${vaultProblem}`);
  const client = createEngineClient({
    spawn: spawnHost,
    appVersion: app.getVersion(),
    loadSecrets: () => vault.load(),
    secretStoreUnavailable: () => vault.unavailableReason(),
    storeSecret: (name, value) => vault.save(name, value),
    onJobEvent: (event) => {
      for (const win of windows)
        if (!win.isDestroyed()) win.webContents.send(JOB_EVENTS_CHANNEL, event);
    },
    onLog: (line) => console.error(`[rwb main] ${line}`),
  });
  engine = client;
  registerIpcRelay(ipcMain, (name, input, signal) => client.invoke(name, input, signal), {
    isTrustedSender: (event) => Boolean(event.senderFrame && isAppUrl(event.senderFrame.url)),
    onInternalError: (err) => console.error('[rwb main] internal error:', err),
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !engine) return;
  // Give running jobs their cancel and a moment to record where they stopped.
  event.preventDefault();
  closing = true;
  void engine.shutdown().finally(() => app.quit());
});
