/**
 * What `rwb es start` remembers about the node it started (node.json next to the pid file), so that
 * `status` and `stop` know the port, heap and runtime without flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { esClusterName, type EsNodeLayout } from './layout.ts';
import type { HealthStatus } from './node-process.ts';

export const NodeStateSchema = z.object({
  profile: z.string(),
  httpPort: z.number().int(),
  transportPort: z.number().int(),
  heap: z.string(),
  version: z.string(),
  runtimeHome: z.string(),
  javaHome: z.string(),
  javaVersion: z.string(),
  esUser: z.string(),
  startedAt: z.string(),
});
export type NodeState = z.infer<typeof NodeStateSchema>;

export interface LocalNodeStatus {
  profile: string;
  /** Process alive and answering HTTP as this profile's node. */
  running: boolean;
  /** Process alive but not (yet) answering HTTP. */
  starting: boolean;
  pid: number | null;
  url: string;
  httpPort: number;
  transportPort: number | null;
  version: string | null;
  health: HealthStatus | null;
  heap: string | null;
  heapMaxBytes: number | null;
  esUser: string | null;
  javaHome: string | null;
  runtimeHome: string | null;
  esDir: string;
  dataDir: string;
  configDir: string;
  /** Elasticsearch's own log file. */
  logFile: string;
  /** Output of the ES launcher (startup errors). */
  launchLog: string;
  relocated: boolean;
  startedAt: string | null;
}

export function readNodeState(layout: EsNodeLayout): NodeState | null {
  if (!existsSync(layout.stateFile)) return null;
  try {
    const parsed = NodeStateSchema.safeParse(JSON.parse(readFileSync(layout.stateFile, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeNodeState(layout: EsNodeLayout, state: NodeState): Promise<void> {
  const tmp = `${layout.stateFile}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await fs.rename(tmp, layout.stateFile);
}

export function nodeUrl(httpPort: number): string {
  return `http://127.0.0.1:${httpPort}`;
}

export function esLogFile(layout: EsNodeLayout): string {
  return path.join(layout.logsDir, `${esClusterName(layout.profile)}.log`);
}

/** A status skeleton from the layout and remembered state, before any probing. */
export function baseStatus(
  layout: EsNodeLayout,
  state: NodeState | null,
  defaultPort: number,
): LocalNodeStatus {
  const httpPort = state?.httpPort ?? defaultPort;
  return {
    profile: layout.profile,
    running: false,
    starting: false,
    pid: null,
    url: nodeUrl(httpPort),
    httpPort,
    transportPort: state?.transportPort ?? null,
    version: state?.version ?? null,
    health: null,
    heap: state?.heap ?? null,
    heapMaxBytes: null,
    esUser: state?.esUser ?? null,
    javaHome: state?.javaHome ?? null,
    runtimeHome: state?.runtimeHome ?? null,
    esDir: layout.esDir,
    dataDir: layout.dataDir,
    configDir: layout.configDir,
    logFile: esLogFile(layout),
    launchLog: layout.launchLog,
    relocated: layout.relocated,
    startedAt: state?.startedAt ?? null,
  };
}
