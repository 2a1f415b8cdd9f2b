import type { RwbBridge } from '../../engine/api/wire.ts';
import { createApiClient, type ApiClient } from './client.ts';
import { createHttpTransport } from './http-transport.ts';
import { createIpcTransport } from './ipc-transport.ts';

export { createApiClient, type ApiClient, type CallOptions } from './client.ts';
export { ApiError, isApiError, toApiError } from './errors.ts';
export { createHttpTransport } from './http-transport.ts';
export { createIpcTransport } from './ipc-transport.ts';
export type { ApiTransport } from './transport.ts';

declare global {
  interface Window {
    /** Present only in the desktop app (exposed by the preload). */
    api?: RwbBridge;
  }
}

let shared: ApiClient | null = null;

/** The app's client: IPC when the preload exposed `window.api`, else HTTP to the page's origin. */
export function getApiClient(): ApiClient {
  shared ??= createApiClient(
    typeof window !== 'undefined' && window.api
      ? createIpcTransport(window.api)
      : createHttpTransport(),
  );
  return shared;
}
