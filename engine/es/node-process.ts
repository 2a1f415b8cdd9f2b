/**
 * Process and HTTP probes for the embedded node: pid files, liveness, log tails, and the few REST
 * calls the lifecycle needs. Plain fetch on purpose: these run before any index exists and must
 * answer quickly whether something is listening at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';

export type HealthStatus = 'green' | 'yellow' | 'red';

export interface NodeHttpInfo {
  clusterName: string;
  version: string;
  pid: number;
  heapMaxBytes: number | null;
  health: HealthStatus | null;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * On Linux, checks that `pid` is an Elasticsearch JVM started from `runtimeHome` (a stale pid file
 * after a reboot may name an unrelated process, which must never be signalled). Elsewhere, or when
 * /proc is unreadable, returns null (unknown).
 */
export function pidLooksLikeOurNode(pid: number, runtimeHome: string | null): boolean | null {
  const cmdlineFile = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdlineFile)) return process.platform === 'linux' ? false : null;
  try {
    const cmdline = readFileSync(cmdlineFile, 'utf8');
    if (!cmdline.includes('org.elasticsearch')) return false;
    return runtimeHome === null || cmdline.includes(runtimeHome);
  } catch {
    return null;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(250);
  }
  return !isProcessAlive(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of a text file ('' when it does not exist). Reads at most 64 KB. */
export async function tailFile(file: string, lines = 30): Promise<string> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .join('\n');
  } finally {
    await handle.close();
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (inUse: boolean) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url} → HTTP ${res.status}`);
  return res.json();
}

/** Cluster health, or null when nothing answers at `baseUrl`. */
export async function fetchHealth(baseUrl: string, timeoutMs = 3000): Promise<HealthStatus | null> {
  try {
    const body = (await getJson(`${baseUrl}/_cluster/health`, timeoutMs)) as {
      status?: HealthStatus;
    };
    return body.status ?? null;
  } catch {
    return null;
  }
}

/**
 * Version, pid and heap of the node answering at `baseUrl` (the integ-test-zip answers 405 on
 * `GET /`, so this reads `_nodes/_local`), or null when nothing answers.
 */
export async function fetchNodeInfo(
  baseUrl: string,
  timeoutMs = 3000,
): Promise<NodeHttpInfo | null> {
  try {
    const body = (await getJson(
      `${baseUrl}/_nodes/_local/process,jvm?filter_path=cluster_name,nodes.*.version,nodes.*.process.id,nodes.*.jvm.mem.heap_max_in_bytes`,
      timeoutMs,
    )) as {
      cluster_name?: string;
      nodes?: Record<
        string,
        {
          version?: string;
          process?: { id?: number };
          jvm?: { mem?: { heap_max_in_bytes?: number } };
        }
      >;
    };
    const node = Object.values(body.nodes ?? {})[0];
    if (!node?.version || node.process?.id === undefined) return null;
    return {
      clusterName: body.cluster_name ?? '',
      version: node.version,
      pid: node.process.id,
      heapMaxBytes: node.jvm?.mem?.heap_max_in_bytes ?? null,
      health: await fetchHealth(baseUrl, timeoutMs),
    };
  } catch {
    return null;
  }
}
