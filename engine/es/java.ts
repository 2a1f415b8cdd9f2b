/**
 * Finds a Java runtime for the embedded node. The integ-test-zip has no bundled JDK, so ES is told
 * explicitly which one to use through ES_JAVA_HOME (with JAVA_HOME alone its launcher looks for a
 * bundled jdk/ and fails).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { RwbError } from '../errors.ts';

export const MIN_JAVA_MAJOR = 17;

export interface JavaRuntime {
  /** The directory to pass as ES_JAVA_HOME. */
  home: string;
  /** e.g. "17.0.15". */
  version: string;
  major: number;
  /** Where it was found: ES_JAVA_HOME, JAVA_HOME or PATH. */
  source: 'ES_JAVA_HOME' | 'JAVA_HOME' | 'PATH';
}

const javaExe = process.platform === 'win32' ? 'java.exe' : 'java';

/** Parses the first line of `java -version` ("openjdk version "17.0.15" 2025-04-15", or "1.8.0_392"). */
export function parseJavaVersion(output: string): { version: string; major: number } | null {
  const m = /version "([^"]+)"/.exec(output);
  if (!m) return null;
  const version = m[1]!;
  const parts = version.split(/[._+-]/).map((p) => Number.parseInt(p, 10));
  const major = parts[0] === 1 ? parts[1] : parts[0];
  if (major === undefined || Number.isNaN(major)) return null;
  return { version, major };
}

function probeJavaHome(home: string): { version: string; major: number } | null {
  const exe = path.join(home, 'bin', javaExe);
  if (!existsSync(exe)) return null;
  // `java -version` prints to stderr.
  const run = spawnSync(exe, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  if (run.error) return null;
  return parseJavaVersion(`${run.stderr ?? ''}\n${run.stdout ?? ''}`);
}

function javaHomeFromPath(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, javaExe);
    if (!existsSync(candidate)) continue;
    // /usr/bin/java → /usr/lib/jvm/java-17-openjdk-amd64/bin/java → its home is two levels up.
    return path.dirname(path.dirname(realpathSync(candidate)));
  }
  return null;
}

function installHint(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Install one with `brew install openjdk@17` (or Temurin 17+ from adoptium.net)';
    case 'win32':
      return 'Install Eclipse Temurin 17+ (adoptium.net) or `winget install EclipseAdoptium.Temurin.17.JRE`';
    default:
      return 'Install one, e.g. `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or `sudo dnf install java-17-openjdk-headless` (Fedora/RHEL)';
  }
}

/**
 * Looks at ES_JAVA_HOME, then JAVA_HOME, then `java` on PATH, and returns the first Java ≥ 17.
 * Throws JAVA_MISSING listing what was found and how to install one.
 */
export function detectJava(env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const seen: string[] = [];
  const candidates: Array<[JavaRuntime['source'], string | null]> = [
    ['ES_JAVA_HOME', env.ES_JAVA_HOME || null],
    ['JAVA_HOME', env.JAVA_HOME || null],
    ['PATH', javaHomeFromPath()],
  ];
  for (const [source, home] of candidates) {
    if (!home) continue;
    const found = probeJavaHome(home);
    if (!found) {
      seen.push(`${source}=${home} (no working bin/${javaExe})`);
      continue;
    }
    if (found.major < MIN_JAVA_MAJOR) {
      seen.push(`${source}=${home} (Java ${found.version}, too old)`);
      continue;
    }
    return { home, version: found.version, major: found.major, source };
  }
  const what =
    seen.length > 0
      ? `found only: ${seen.join('; ')}`
      : 'none found via ES_JAVA_HOME, JAVA_HOME or `java` on PATH';
  throw new RwbError(
    'JAVA_MISSING',
    `The local Elasticsearch node needs Java ${MIN_JAVA_MAJOR} or newer; ${what}. ${installHint()}, ` +
      'or set ES_JAVA_HOME to the home directory of a Java 17+ runtime.',
    { checked: seen },
  );
}
