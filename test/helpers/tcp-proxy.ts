/**
 * A loopback TCP proxy in front of the real Elasticsearch, so a test can make ES "go away" mid-run
 * (close the listener and cut every open connection) and come back, without stopping the shared
 * node other tests use. Nothing is mocked: requests reach the real ES while the proxy is up.
 */
import net from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  /** Cuts all connections and stops accepting new ones. */
  down(): Promise<void>;
  /** Accepts connections again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
  /**
   * Goes down by itself once this many more request bytes have passed towards ES — a cut in the
   * middle of a run that does not depend on timing.
   */
  downAfterBytes(bytes: number): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  let budget: { left: number; resolve: () => void } | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.on('data', (chunk: Buffer) => {
          if (!budget) return;
          budget.left -= chunk.length;
          if (budget.left <= 0) {
            const { resolve } = budget;
            budget = null;
            void down().then(resolve);
          }
        });
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    down,
    up: listen,
    close: down,
    downAfterBytes: (bytes) =>
      new Promise<void>((resolve) => {
        budget = { left: bytes, resolve };
      }),
  };
}
