/**
 * Runs sandboxed with context isolation: exposes `window.api` and nothing else. Only operation
 * names from the contract are forwarded; every listener registration returns its unsubscribe.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { OPERATION_NAMES, isOperationName } from '../engine/api/names.ts';
import {
  CANCEL_CHANNEL,
  ipcChannelFor,
  JOB_EVENTS_CHANNEL,
  type Envelope,
  type RwbBridge,
} from '../engine/api/wire.ts';

const bridge: RwbBridge = {
  operations: [...OPERATION_NAMES],
  invoke(name, input, callId) {
    if (!isOperationName(name)) {
      const refused: Envelope<unknown> = {
        ok: false,
        error: { code: 'NOT_FOUND', message: `Unknown operation "${String(name)}"` },
      };
      return Promise.resolve(refused);
    }
    return ipcRenderer.invoke(
      ipcChannelFor(name),
      input,
      typeof callId === 'number' ? callId : null,
    ) as Promise<Envelope<unknown>>;
  },
  cancel(callId) {
    if (typeof callId === 'number') ipcRenderer.send(CANCEL_CHANNEL, callId);
  },
  onJobEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(JOB_EVENTS_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(JOB_EVENTS_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', bridge);
