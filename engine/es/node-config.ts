/**
 * The configuration of the embedded node, regenerated on every start (ES_PATH_CONF points at the
 * profile's config/ directory; the runtime's own config/ is never modified).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { esClusterName, type EsNodeLayout } from './layout.ts';

export const DEFAULT_HTTP_PORT = 9200;
export const DEFAULT_HEAP = '512m';

export interface NodeSettings {
  profile: string;
  httpPort: number;
  transportPort: number;
  heap: string;
}

export function validatePort(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1024 || value > 65535) {
    throw new RwbError(
      'INVALID_INPUT',
      `${what} must be an integer between 1024 and 65535, got ${value}.`,
    );
  }
  return value;
}

/** Heap sizes as the JVM takes them: 512m, 1g, 1536m. At least 256m (ES will not start below). */
export function validateHeap(heap: string): string {
  const m = /^(\d+)([mMgG])$/.exec(heap.trim());
  const mb = m ? Number(m[1]) * (m[2]!.toLowerCase() === 'g' ? 1024 : 1) : 0;
  if (!m || mb < 256) {
    throw new RwbError(
      'INVALID_INPUT',
      `Heap size "${heap}" is not valid: use e.g. 512m or 1g (at least 256m).`,
    );
  }
  return `${m[1]}${m[2]!.toLowerCase()}`;
}

/** The transport port defaults to the HTTP port + 100 (9200 → 9300), so two profiles never collide. */
export function defaultTransportPort(httpPort: number): number {
  return httpPort + 100;
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}

export function renderElasticsearchYml(layout: EsNodeLayout, settings: NodeSettings): string {
  const lines = [
    '# Written by rwb on every `rwb es start`; edits here are overwritten.',
    `cluster.name: ${yamlString(esClusterName(settings.profile))}`,
    `node.name: ${yamlString(esClusterName(settings.profile))}`,
    `path.data: ${yamlString(layout.dataDir)}`,
    `path.logs: ${yamlString(layout.logsDir)}`,
    '# Loopback only: security is off, so nothing outside this machine may reach the node.',
    'network.host: 127.0.0.1',
    `http.port: ${settings.httpPort}`,
    `transport.port: ${settings.transportPort}`,
    'discovery.type: single-node',
    'xpack.security.enabled: false',
    'xpack.ml.enabled: false',
    '# A developer disk that is 90% full must not turn the index read-only.',
    'cluster.routing.allocation.disk.threshold_enabled: false',
  ];
  return `${lines.join('\n')}\n`;
}

export function renderJvmOptions(heap: string): string {
  return ['# Written by rwb (`rwb es start --heap`).', `-Xms${heap}`, `-Xmx${heap}`, ''].join('\n');
}

/** The stock GC log keeps up to 32 files of 64 MB; a workbench node needs 2 of 16 MB. */
export function shrinkGcLog(jvmOptions: string): string {
  return jvmOptions.replace(/filecount=\d+,filesize=\d+[kmg]?/gi, 'filecount=2,filesize=16m');
}

/**
 * Fills layout.configDir: the runtime's stock files (jvm.options, log4j2.properties, …) refreshed
 * from the runtime in use, our elasticsearch.yml, and the heap in jvm.options.d.
 */
export async function writeNodeConfig(
  runtimeHome: string,
  layout: EsNodeLayout,
  settings: NodeSettings,
): Promise<string[]> {
  const stockDir = path.join(runtimeHome, 'config');
  const written: string[] = [];
  await fs.mkdir(path.join(layout.configDir, 'jvm.options.d'), { recursive: true, mode: 0o755 });
  for (const entry of await fs.readdir(stockDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'elasticsearch.yml') continue;
    const target = path.join(layout.configDir, entry.name);
    if (entry.name === 'jvm.options') {
      const stock = await fs.readFile(path.join(stockDir, entry.name), 'utf8');
      await fs.writeFile(target, shrinkGcLog(stock), { mode: 0o644 });
    } else {
      await fs.copyFile(path.join(stockDir, entry.name), target);
    }
    written.push(target);
  }
  const yml = path.join(layout.configDir, 'elasticsearch.yml');
  await fs.writeFile(yml, renderElasticsearchYml(layout, settings), { mode: 0o644 });
  const heapFile = path.join(layout.configDir, 'jvm.options.d', 'rwb.options');
  await fs.writeFile(heapFile, renderJvmOptions(settings.heap), { mode: 0o644 });
  written.push(yml, heapFile);
  return written;
}
