/**
 * Window hardening that does not depend on which window: no new windows, no navigation away from
 * the app, no webviews, no permission grants, and the CSP on every response.
 */
import { app, session, type WebContents } from 'electron';
import { RENDERER_CSP } from '../engine/http/static-files.ts';

/** The origin the app's pages are served from (see protocol.ts). */
export const APP_ORIGIN = 'app://rwb';

export function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function applySessionPolicy(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
