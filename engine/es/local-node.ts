/**
 * The managed local Elasticsearch node: one per profile, on 127.0.0.1, started detached so it
 * outlives the command that started it. start is idempotent, stop is graceful (SIGTERM, then
 * SIGKILL after a timeout), status never changes anything.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import {
  ensureAnalysisPlugin,
  installedPluginVersion,
  nodeHasAnalysisPlugin,
} from './analysis-plugin.ts';
import { resolveEsUser, type EsUser } from './es-user.ts';
import { detectJava } from './java.ts';
import {
  prepareEsDirs,
  reachableByOthers,
  resolveEsLayout,
  esClusterName,
  type EsNodeLayout,
} from './layout.ts';
import {
  DEFAULT_HEAP,
  DEFAULT_HTTP_PORT,
  defaultTransportPort,
  validateHeap,
  validatePort,
  writeNodeConfig,
} from './node-config.ts';
import {
  fetchHealth,
  fetchNodeInfo,
  isProcessAlive,
  pidLooksLikeOurNode,
  portInUse,
  readPid,
  sleep,
  tailFile,
  waitForExit,
} from './node-process.ts';
import {
  baseStatus,
  esLogFile,
  nodeUrl,
  readNodeState,
  writeNodeState,
  type LocalNodeStatus,
} from './node-state.ts';
import { ensureEsRuntime, type RuntimeProgress } from './runtime.ts';

export type { LocalNodeStatus } from './node-state.ts';

export interface StartLocalNodeOptions {
  profile?: string;
  /** Default: the port the profile last ran on, else 9200. */
  port?: number;
  /** Default: the HTTP port + 100. */
  transportPort?: number;
  /** Default: the heap the profile last ran with, else 512m. */
  heap?: string;
  /** How long to wait for health yellow/green (default 180 s: two busy cores can be slow). */
  timeoutMs?: number;
  onProgress?: (p: RuntimeProgress) => void;
  /** Sentences worth showing the user (user switching, relocation, what is happening). */
  onNote?: (note: string) => void;
  signal?: AbortSignal;
}

export interface StartLocalNodeResult extends LocalNodeStatus {
  alreadyRunning: boolean;
}

export interface StopLocalNodeResult {
  profile: string;
  wasRunning: boolean;
  pid: number | null;
  /** True when SIGTERM was not enough and the node was killed. */
  forced: boolean;
}

const DEFAULT_START_TIMEOUT_MS = 180_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/** Status of a profile's node: process, HTTP answer, version, health, directories. */
export async function localNodeStatus(opts: { profile?: string } = {}): Promise<LocalNodeStatus> {
  const layout = resolveEsLayout(opts.profile ?? 'default');
  const state = readNodeState(layout);
  const status = baseStatus(layout, state, DEFAULT_HTTP_PORT);
  const pid = readPid(layout.pidFile);
  if (
    pid === null ||
    !isProcessAlive(pid) ||
    pidLooksLikeOurNode(pid, state?.runtimeHome ?? null) === false
  )
    return status;
  status.pid = pid;
  const info = await fetchNodeInfo(status.url);
  if (info && info.pid === pid) {
    Object.assign(status, {
      running: true,
      version: info.version,
      health: info.health,
      heapMaxBytes: info.heapMaxBytes,
    });
  } else {
    status.starting = true;
  }
  return status;
}

/** Starts the profile's node (fetching the runtime first if needed) and waits until it is healthy. */
export async function startLocalNode(
  opts: StartLocalNodeOptions = {},
): Promise<StartLocalNodeResult> {
  const note = opts.onNote ?? (() => {});
  const layout = resolveEsLayout(opts.profile ?? 'default');
  // A profile remembers the port and heap it was last started with; flags override them.
  const previous = readNodeState(layout);
  const httpPort = validatePort(opts.port ?? previous?.httpPort ?? DEFAULT_HTTP_PORT, 'HTTP port');
  const samePort = previous?.httpPort === httpPort;
  const transportPort = validatePort(
    opts.transportPort ?? (samePort ? previous.transportPort : defaultTransportPort(httpPort)),
    'Transport port',
  );
  const heap = validateHeap(opts.heap ?? previous?.heap ?? DEFAULT_HEAP);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  const current = await localNodeStatus({ profile: layout.profile });
  if (current.pid !== null) {
    if (opts.port !== undefined && current.httpPort !== opts.port) {
      throw new RwbError(
        'INVALID_INPUT',
        `The node of profile "${layout.profile}" is already running on port ${current.httpPort} (pid ${current.pid}); ` +
          `stop it first (rwb es stop --profile ${layout.profile}) to move it to port ${opts.port}.`,
      );
    }
    note(`already running (pid ${current.pid}); waiting for it to be healthy`);
    await waitUntilHealthy(layout, current.url, current.pid, null, timeoutMs, opts.signal);
    const home = previous?.runtimeHome;
    if (
      home &&
      installedPluginVersion(home) &&
      (await nodeHasAnalysisPlugin(current.url)) === false
    )
      note(
        'the rwb-analysis plugin is installed but this node started before it: restart it ' +
          `(rwb es stop --profile ${layout.profile}, then start) for English stemming and Chinese words`,
      );
    return { ...(await localNodeStatus({ profile: layout.profile })), alreadyRunning: true };
  }
  await fs.rm(layout.pidFile, { force: true });
  await assertPortFree(httpPort, 'HTTP');
  await assertPortFree(transportPort, 'transport');

  const java = detectJava();
  const runtime = await ensureEsRuntime({
    runtimesDir: layout.runtimesDir,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  // English stemming and Chinese words (docs/analysis.md). Not fatal: without it the node still
  // runs with core analysis, and the index records what it got; `rwb es fetch` reports failures.
  try {
    const plugin = await ensureAnalysisPlugin(runtime, { signal: opts.signal });
    if (plugin.status !== 'present') note(plugin.note);
  } catch (err) {
    note(
      `the rwb-analysis plugin could not be set up, so the node keeps core analysis: ${(err as Error).message}`,
    );
  }
  const notes: string[] = [];
  const user = resolveEsUser(notes);
  notes.forEach(note);
  if (user.switched) {
    note(
      `running as root: Elasticsearch refuses root, so the node runs as user ${user.name} (uid ${user.uid})`,
    );
    if (layout.relocated)
      note(
        `${layout.profileLink} → ${layout.esDir} (user ${user.name} cannot enter RWB_HOME's parent)`,
      );
    if (!reachableByOthers(path.join(java.home, 'bin'))) {
      throw new RwbError(
        'JAVA_MISSING',
        `Java at ${java.home} lies in a directory user ${user.name} cannot enter; set ES_JAVA_HOME to a Java 17+ installed system-wide (e.g. under /usr/lib/jvm).`,
      );
    }
  }
  await prepareEsDirs(layout, user.switched);
  await writeNodeConfig(runtime.home, layout, {
    profile: layout.profile,
    httpPort,
    transportPort,
    heap,
  });
  await fs.writeFile(layout.launchLog, '');
  if (user.switched) await chownTree(layout.esDir, user);

  note(
    `starting Elasticsearch ${runtime.version} on ${nodeUrl(httpPort)} (heap ${heap}, Java ${java.version}); log: ${esLogFile(layout)}`,
  );
  const launcher = launchNode(runtime.launcher, layout, java.home, user);
  await writeNodeState(layout, {
    profile: layout.profile,
    httpPort,
    transportPort,
    heap,
    version: runtime.version,
    runtimeHome: runtime.home,
    javaHome: java.home,
    javaVersion: java.version,
    esUser: user.name,
    startedAt: new Date().toISOString(),
  });
  await waitUntilHealthy(layout, nodeUrl(httpPort), null, launcher, timeoutMs, opts.signal);
  return { ...(await localNodeStatus({ profile: layout.profile })), alreadyRunning: false };
}

/** Stops the profile's node: SIGTERM, then SIGKILL when it has not exited after `timeoutMs`. */
export async function stopLocalNode(
  opts: { profile?: string; timeoutMs?: number } = {},
): Promise<StopLocalNodeResult> {
  const layout = resolveEsLayout(opts.profile ?? 'default');
  const state = readNodeState(layout);
  const pid = readPid(layout.pidFile);
  const result: StopLocalNodeResult = {
    profile: layout.profile,
    wasRunning: false,
    pid,
    forced: false,
  };
  if (
    pid === null ||
    !isProcessAlive(pid) ||
    pidLooksLikeOurNode(pid, state?.runtimeHome ?? null) === false
  ) {
    await fs.rm(layout.pidFile, { force: true });
    return result;
  }
  result.wasRunning = true;
  signal(pid, 'SIGTERM');
  if (!(await waitForExit(pid, opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS))) {
    signal(pid, 'SIGKILL');
    result.forced = true;
    if (!(await waitForExit(pid, 10_000))) {
      throw new RwbError(
        'ES_RUNTIME',
        `Elasticsearch (pid ${pid}) did not exit even after SIGKILL.`,
      );
    }
  }
  await fs.rm(layout.pidFile, { force: true });
  return result;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw new RwbError(
        'ES_RUNTIME',
        `Cannot send ${sig} to Elasticsearch (pid ${pid}): ${(err as Error).message}`,
      );
    }
  }
}

async function assertPortFree(port: number, what: string): Promise<void> {
  if (!(await portInUse(port))) return;
  const info = await fetchNodeInfo(nodeUrl(port));
  const by = info
    ? ` by Elasticsearch ${info.version} (cluster "${info.clusterName}", pid ${info.pid})`
    : '';
  // A node named rwb-* is one of ours, started with another RWB_HOME (or the profile's files were removed).
  const hint = info?.clusterName.startsWith('rwb-')
    ? ` It looks like a node started by rwb with another RWB_HOME; stop it with \`kill ${info.pid}\` or from that RWB_HOME.`
    : '';
  throw new RwbError(
    'ES_RUNTIME',
    `Port ${port} on 127.0.0.1 (${what}) is already in use${by}, which is not this profile's node. ` +
      `Stop that process, or choose other ports with --port (transport defaults to port + 100).${hint}`,
    { port },
  );
}

interface LauncherHandle {
  exitCode: number | null;
  exited: boolean;
  /** Set when the launcher could not be spawned at all (e.g. EACCES). */
  error: Error | null;
}

function launchNode(
  launcherPath: string,
  layout: EsNodeLayout,
  javaHome: string,
  user: EsUser,
): LauncherHandle {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: javaHome,
    ES_PATH_CONF: layout.configDir,
  };
  // With JAVA_HOME alone the launcher looks for a bundled jdk/; ES_JAVA_HOME is what it must use.
  delete env.JAVA_HOME;
  if (user.switched) env.HOME = layout.esDir;
  const windows = process.platform === 'win32';
  // -d: the launcher returns once the node is up (or exits non-zero with the reason); -p: pid file.
  const args = windows ? ['-p', layout.pidFile] : ['-d', '-p', layout.pidFile];
  // spawn needs a real descriptor; the child keeps its own copy after we close ours.
  const out = openSync(layout.launchLog, 'a');
  const child = spawn(launcherPath, args, {
    cwd: layout.esDir,
    env,
    detached: true,
    stdio: ['ignore', out, out],
    shell: windows,
    windowsHide: true,
    ...(user.switched ? { uid: user.uid, gid: user.gid } : {}),
  });
  closeSync(out);
  const handle: LauncherHandle = { exitCode: null, exited: false, error: null };
  child.once('exit', (code) => Object.assign(handle, { exited: true, exitCode: code }));
  child.once('error', (err) => Object.assign(handle, { exited: true, exitCode: -1, error: err }));
  child.unref();
  return handle;
}

async function waitUntilHealthy(
  layout: EsNodeLayout,
  url: string,
  knownPid: number | null,
  launcher: LauncherHandle | null,
  timeoutMs: number,
  abort?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (abort?.aborted) {
      throw new RwbError(
        'CANCELLED',
        `Stopped waiting for Elasticsearch; it may still be starting (rwb es status --profile ${layout.profile}).`,
      );
    }
    if (launcher?.exited && launcher.exitCode !== 0) {
      const why = launcher.error
        ? `the launcher could not run (${launcher.error.message})`
        : `the launcher exited with code ${launcher.exitCode}`;
      throw await startFailure(layout, why);
    }
    const pid = knownPid ?? readPid(layout.pidFile);
    if (pid !== null && !isProcessAlive(pid))
      throw await startFailure(layout, `the process (pid ${pid}) exited`);
    const health = await fetchHealth(url, 2000);
    if (health === 'green' || health === 'yellow') {
      const info = pid !== null ? await fetchNodeInfo(url) : null;
      if (info && info.pid === pid && info.clusterName === esClusterName(layout.profile)) return;
    }
    await sleep(500);
  }
  const tail = await tailFile(esLogFile(layout), 15);
  throw new RwbError(
    'ES_RUNTIME',
    `Elasticsearch (profile ${layout.profile}) did not become healthy at ${url} within ${Math.round(timeoutMs / 1000)} s; ` +
      `it may still be starting (rwb es status; rwb es stop to give up). Log: ${esLogFile(layout)}` +
      (tail ? `\n--- last lines of the log ---\n${tail}` : ''),
  );
}

async function startFailure(layout: EsNodeLayout, what: string): Promise<RwbError> {
  const launchTail = await tailFile(layout.launchLog, 30);
  const logTail = launchTail ? '' : await tailFile(esLogFile(layout), 30);
  const shown = launchTail
    ? `--- last lines of ${layout.launchLog} ---\n${launchTail}`
    : logTail
      ? `--- last lines of ${esLogFile(layout)} ---\n${logTail}`
      : '(no log output)';
  await fs.rm(layout.pidFile, { force: true });
  return new RwbError(
    'ES_RUNTIME',
    `Elasticsearch (profile ${layout.profile}) failed to start: ${what}. Logs: ${layout.launchLog}, ${esLogFile(layout)}\n${shown}`,
    { launchLog: layout.launchLog, logFile: esLogFile(layout) },
  );
}

async function chownTree(dir: string, user: EsUser): Promise<void> {
  await fs.lchown(dir, user.uid, user.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await fs.lchown(child, user.uid, user.gid);
  }
}
