/**
 * The Elasticsearch runtime of the embedded node: the `integ-test-zip` distribution from Maven
 * Central (server + transport-netty4 + x-pack core/security, no bundled JDK). It is downloaded once
 * (or taken from ~/.m2), extracted into the runtimes directory and reused by every profile.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import {
  coordinates,
  fetchMavenArtifact,
  type DownloadProgress,
  type MavenArtifact,
} from '../net/maven.ts';
import { paths } from '../paths.ts';
import { esRuntimesDir } from './layout.ts';
import { extractZip, type ExtractProgress } from '../net/zip.ts';

/**
 * 8.x is the line the 8.x client and the machines' Java 17 both support (9.x needs Java 21).
 * Override with RWB_ES_VERSION to pin another 8.x patch release.
 */
export const DEFAULT_ES_VERSION = '8.19.21';

export type RuntimeProgress =
  | { phase: 'download'; receivedBytes: number; totalBytes: number | null }
  | { phase: 'extract'; done: number; total: number }
  | { phase: 'ready'; home: string };

export interface EsRuntime {
  version: string;
  /** ES_HOME: the directory holding bin/, lib/, modules/, config/. */
  home: string;
  /** The script that starts the node. */
  launcher: string;
  /** True when this call downloaded or extracted it (false: it was already there). */
  installed: boolean;
}

export function esVersion(): string {
  const v = process.env.RWB_ES_VERSION?.trim() || DEFAULT_ES_VERSION;
  if (!/^8\.\d+\.\d+$/.test(v)) {
    throw new RwbError(
      'INVALID_CONFIG',
      `RWB_ES_VERSION=${v} is not an 8.x release (expected e.g. ${DEFAULT_ES_VERSION}); ` +
        'the embedded node needs 8.x (the 8.x client refuses 9.x servers, and 9.x needs Java 21).',
    );
  }
  return v;
}

export function esRuntimeArtifact(version: string): MavenArtifact {
  return {
    groupId: 'org.elasticsearch.distribution.integ-test-zip',
    artifactId: 'elasticsearch',
    version,
    type: 'zip',
  };
}

export function esRuntimeHome(version: string, runtimesDir = esRuntimesDir()): string {
  return path.join(runtimesDir, `elasticsearch-${version}`);
}

export function esLauncher(home: string): string {
  return path.join(
    home,
    'bin',
    process.platform === 'win32' ? 'elasticsearch.bat' : 'elasticsearch',
  );
}

function describeRuntime(version: string, home: string, installed: boolean): EsRuntime {
  return { version, home, launcher: esLauncher(home), installed };
}

/** Directories must be enterable by the node's user even under a restrictive umask (root → rwb-es). */
async function openDirectories(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await openDirectories(path.join(dir, entry.name));
  }
}

/** The runtime if it is already extracted, else null (never downloads). */
export function findEsRuntime(
  version = esVersion(),
  runtimesDir = esRuntimesDir(),
): EsRuntime | null {
  const home = esRuntimeHome(version, runtimesDir);
  return existsSync(esLauncher(home)) && existsSync(path.join(home, 'lib'))
    ? describeRuntime(version, home, false)
    : null;
}

/**
 * Makes sure the runtime is extracted under `runtimesDir` and returns it. Downloads the zip from
 * Maven Central when neither ~/.m2 nor a previous download has it. Extraction goes to a temporary
 * directory that is renamed into place, so an interrupted run never leaves a half runtime behind.
 */
export async function ensureEsRuntime(
  opts: {
    version?: string;
    runtimesDir?: string;
    onProgress?: (p: RuntimeProgress) => void;
    signal?: AbortSignal;
  } = {},
): Promise<EsRuntime> {
  const version = opts.version ?? esVersion();
  // As root behind a closed home directory this is the shared location the ES user can read (layout.ts).
  const runtimesDir = opts.runtimesDir ?? esRuntimesDir();
  const existing = findEsRuntime(version, runtimesDir);
  if (existing) {
    opts.onProgress?.({ phase: 'ready', home: existing.home });
    return existing;
  }

  const artifact = esRuntimeArtifact(version);
  const downloadTarget = path.join(paths.runtimes(), 'downloads', `elasticsearch-${version}.zip`);
  const zipFile = await fetchMavenArtifact(artifact, downloadTarget, {
    signal: opts.signal,
    onProgress: (p: DownloadProgress) => opts.onProgress?.({ phase: 'download', ...p }),
  });

  const home = esRuntimeHome(version, runtimesDir);
  const staging = `${home}.extracting-${process.pid}`;
  await fs.mkdir(runtimesDir, { recursive: true, mode: 0o755 });
  await fs.rm(staging, { recursive: true, force: true });
  try {
    await extractZip(zipFile, staging, {
      errorCode: 'ES_RUNTIME',
      hint: 'Delete it and fetch again (`rwb es fetch`).',
      stripComponents: 1,
      signal: opts.signal,
      onProgress: (p: ExtractProgress) =>
        opts.onProgress?.({ phase: 'extract', done: p.bytesDone, total: p.bytesTotal }),
    });
    if (!existsSync(esLauncher(staging))) {
      throw new RwbError(
        'ES_RUNTIME',
        `${coordinates(artifact)} (${zipFile}) has no ${path.relative(staging, esLauncher(staging))}; is it an Elasticsearch distribution?`,
      );
    }
    await openDirectories(staging);
    try {
      await fs.rename(staging, home);
    } catch (err) {
      // Another process finished the same extraction first: theirs is as good as ours.
      if (!findEsRuntime(version, runtimesDir)) throw err;
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  // The extracted runtime is the cache; a zip we downloaded ourselves (not ~/.m2's) is no longer needed.
  if (zipFile === downloadTarget) await fs.rm(downloadTarget, { force: true });
  opts.onProgress?.({ phase: 'ready', home });
  return describeRuntime(version, home, true);
}
