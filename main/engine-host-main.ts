/**
 * Entry of the engine host process. In the desktop app it is an Electron utility process
 * (`process.parentPort`); the same file runs under plain Node with a `child_process.fork` IPC
 * channel, which is how the tests start it (Electron cannot be downloaded here).
 */
import type { FromHost, PortLike, ToHost } from './engine-protocol.ts';
import { startEngineHost } from './engine-host.ts';

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  off(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function parentPort(): PortLike<ToHost, FromHost> {
  const electron = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return {
      post: (message) => electron.postMessage(message),
      onMessage(listener) {
        const handler = (event: { data: unknown }) => listener(event.data as ToHost);
        electron.on('message', handler);
        return () => electron.off('message', handler);
      },
    };
  }
  if (typeof process.send === 'function') {
    return {
      post: (message) => process.send!(message),
      onMessage(listener) {
        const handler = (message: unknown) => listener(message as ToHost);
        process.on('message', handler);
        return () => process.off('message', handler);
      },
    };
  }
  throw new Error(
    'engine host: started without a parent port (run it through utilityProcess.fork or child_process.fork)',
  );
}

const port = parentPort();
// Exit once main said shutdown and everything is closed (a moment later, so "closed" gets out),
// or at once when main disappeared.
startEngineHost(port, { onShutdown: () => setTimeout(() => process.exit(0), 100) });
process.on('disconnect', () => process.exit(0));
