/**
 * Electron main: one hardened window on app://rwb/, IPC handlers registered from the contract, job
 * events forwarded on one channel. Jobs run in this process for now (they are I/O-bound against
 * ES; the embedding stage uses worker threads) — see the report on moving them to a utility process.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain } from 'electron';
import { createApiContext, type ApiContext } from '../engine/api/context.ts';
import { forwardJobEvents, registerIpcHandlers } from './ipc.ts';
import { registerAppScheme, serveRenderer } from './protocol.ts';
import { APP_ORIGIN, applySessionPolicy, isAppUrl } from './security.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const preloadFile = path.join(here, '..', 'preload', 'preload.cjs');

registerAppScheme();

let ctx: ApiContext | null = null;

function createWindow(context: ApiContext): BrowserWindow {
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
  const stopForwarding = forwardJobEvents(context, (channel, event) => {
    if (!win.isDestroyed()) win.webContents.send(channel, event);
  });
  win.on('closed', stopForwarding);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(() => {
  applySessionPolicy();
  serveRenderer(rendererDir);
  const context = createApiContext({ mode: 'electron', appVersion: app.getVersion() });
  ctx = context;
  registerIpcHandlers(ipcMain, context, {
    isTrustedSender: (event) => Boolean(event.senderFrame && isAppUrl(event.senderFrame.url)),
    onInternalError: (err) => console.error('[rwb main] internal error:', err),
  });
  createWindow(context);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(context);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !ctx) return;
  // Give running jobs their cancel and a moment to record where they stopped.
  event.preventDefault();
  closing = true;
  void ctx.close().finally(() => app.quit());
});
