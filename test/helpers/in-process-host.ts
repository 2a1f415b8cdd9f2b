/**
 * The desktop app's engine host in this process, joined to main's side by two in-memory ports
 * (structured clones, delivered on microtasks like a real port). `onPost` sees every message the
 * host sends to main.
 */
import { createApiContext } from '../../engine/api/context.ts';
import type { HostProcess } from '../../main/engine-client.ts';
import { startEngineHost } from '../../main/engine-host.ts';
import type { FromHost, PortLike, ToHost } from '../../main/engine-protocol.ts';

export function inProcessHost(esUrl: string, onPost: (message: FromHost) => void = () => undefined) {
  const toHost = new Set<(m: ToHost) => void>();
  const toMain = new Set<(m: FromHost) => void>();
  const port: PortLike<ToHost, FromHost> = {
    post: (m) => {
      onPost(m);
      queueMicrotask(() => toMain.forEach((l) => l(structuredClone(m))));
    },
    onMessage(listener) {
      toHost.add(listener);
      return () => void toHost.delete(listener);
    },
  };
  const host = startEngineHost(port, {
    createContext: (init) =>
      createApiContext({
        mode: 'electron',
        appVersion: init.appVersion,
        es: { url: esUrl, insecure: false, requestTimeoutMs: 2000 },
      }),
  });
  const process: HostProcess = {
    postMessage: (m) => queueMicrotask(() => toHost.forEach((l) => l(structuredClone(m)))),
    onMessage: (listener) => void toMain.add(listener),
    onExit: () => undefined,
    kill: () => undefined,
  };
  return { host, process };
}
