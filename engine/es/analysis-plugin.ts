/**
 * rwb-analysis: our Elasticsearch stable analysis plugin (Java source in plugins/rwb-analysis),
 * giving the embedded node English stemming (`rwb_english`, `rwb_english_light`) and Chinese word
 * segmentation (`rwb_jieba`, `rwb_smartcn`), which its integ-test-zip distribution lacks.
 *
 * It is built on this machine at setup, with no Maven or Gradle: the plugin API and Lucene jars
 * are the runtime's own lib/ jars; the three libraries it bundles (lucene-analysis-smartcn,
 * jieba-analysis and commons-lang3) come from Maven Central through net/maven.ts (SHA-1 checked,
 * cached under RWB_HOME); `javac` compiles the sources; fflate writes the jar and the stable-plugin
 * zip (jars + stable-plugin-descriptor.properties + named_components.json, the latter generated from
 * the @NamedComponent annotations the way ES's Gradle plugin scans them); and the runtime's own
 * `bin/elasticsearch-plugin install` installs it. The descriptor's version carries a hash of the
 * sources and of the ES/Lucene versions, so a changed source or runtime rebuilds and reinstalls.
 */
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ANALYSIS_PLUGIN_NAME,
  buildPluginZip,
  buildVersion,
  cachedPluginZip,
  luceneVersionOf,
  pluginSourceDir,
  readPluginSources,
  runTool,
} from './analysis-plugin-build.ts';
import { detectJava } from './java.ts';

export { ANALYSIS_PLUGIN_NAME } from './analysis-plugin-build.ts';

/** The analyzers the plugin registers (see plugins/rwb-analysis and docs/analysis.md). */
export const PLUGIN_ANALYZERS = ['rwb_english', 'rwb_english_light', 'rwb_jieba', 'rwb_smartcn'];

export interface AnalysisPluginResult {
  /** installed: built and installed now; present: already there; skipped: not possible here. */
  status: 'installed' | 'present' | 'skipped' | 'disabled';
  /** The descriptor version (base version + build hash), or null when skipped. */
  version: string | null;
  /** One sentence for the user. */
  note: string;
}

export function pluginDir(esHome: string): string {
  return path.join(esHome, 'plugins', ANALYSIS_PLUGIN_NAME);
}

/** The `version` of the installed plugin's descriptor, or null when it is not installed. */
export function installedPluginVersion(esHome: string): string | null {
  const file = path.join(pluginDir(esHome), 'stable-plugin-descriptor.properties');
  if (!existsSync(file)) return null;
  return /^version=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim() ?? null;
}

/** javac of ES_JAVA_HOME / JAVA_HOME / the detected Java, else on PATH; null when there is none. */
export function findJavac(env: NodeJS.ProcessEnv = process.env): string | null {
  const exe = process.platform === 'win32' ? 'javac.exe' : 'javac';
  const homes = [env.ES_JAVA_HOME, env.JAVA_HOME];
  try {
    homes.push(detectJava(env).home);
  } catch {
    // No Java at all: the node cannot start either; PATH is still worth a look for javac.
  }
  for (const home of homes) {
    if (home && existsSync(path.join(home, 'bin', exe))) return path.join(home, 'bin', exe);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (existsSync(path.join(dir, exe))) return path.join(dir, exe);
  }
  return null;
}

/** Directories 755, files 644: the node may run as another user (root → rwb-es). */
async function openTree(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await openTree(full);
    else await fs.chmod(full, 0o644);
  }
}

/**
 * Makes sure the runtime at `esHome` has the current rwb-analysis plugin: builds it (javac) and
 * installs it (`elasticsearch-plugin install`) when it is missing or older. A node already running
 * from this runtime loads it at its next start. Returns `skipped` (with the reason) when there is
 * no JDK or no plugin source here, or RWB_ES_ANALYSIS_PLUGIN=0; throws when a build or install
 * that should work fails (download, compile, install).
 */
export async function ensureAnalysisPlugin(
  runtime: { home: string; version: string },
  opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<AnalysisPluginResult> {
  const env = opts.env ?? process.env;
  if (env.RWB_ES_ANALYSIS_PLUGIN === '0') {
    return {
      status: 'disabled',
      version: installedPluginVersion(runtime.home),
      note: `RWB_ES_ANALYSIS_PLUGIN=0: the ${ANALYSIS_PLUGIN_NAME} plugin is left as it is`,
    };
  }
  const sources = readPluginSources();
  if (!sources) {
    return {
      status: 'skipped',
      version: null,
      note: `no ${ANALYSIS_PLUGIN_NAME} sources at ${pluginSourceDir()}: the node keeps core analysis (no English stemming, Chinese as single characters)`,
    };
  }
  const luceneVersion = luceneVersionOf(runtime.home);
  const version = buildVersion(sources, runtime.version, luceneVersion);
  if (installedPluginVersion(runtime.home) === version)
    return { status: 'present', version, note: `${ANALYSIS_PLUGIN_NAME} ${version} is installed` };

  const javac = findJavac(env);
  const cached = cachedPluginZip(runtime.version, version);
  if (!javac && !existsSync(cached)) {
    return {
      status: 'skipped',
      version: null,
      note:
        `no javac found (the ${ANALYSIS_PLUGIN_NAME} plugin is compiled at setup and needs a JDK 17+, e.g. ` +
        '`sudo apt-get install openjdk-17-jdk-headless`): the node keeps core analysis (no English stemming, Chinese as single characters)',
    };
  }
  const zipFile = await buildPluginZip({
    esHome: runtime.home,
    esVersion: runtime.version,
    luceneVersion,
    sources,
    version,
    javac: javac ?? 'javac',
    signal: opts.signal,
  });
  const java = detectJava(env);
  const toolEnv: NodeJS.ProcessEnv = { ...env, ES_JAVA_HOME: java.home };
  delete toolEnv.JAVA_HOME;
  delete toolEnv.ES_PATH_CONF;
  const tool = path.join(
    runtime.home,
    'bin',
    process.platform === 'win32' ? 'elasticsearch-plugin.bat' : 'elasticsearch-plugin',
  );
  if (existsSync(pluginDir(runtime.home)))
    runTool(
      tool,
      ['remove', ANALYSIS_PLUGIN_NAME],
      toolEnv,
      `Removing the old ${ANALYSIS_PLUGIN_NAME}`,
    );
  runTool(
    tool,
    ['install', '--batch', pathToFileURL(zipFile).href],
    toolEnv,
    `Installing ${ANALYSIS_PLUGIN_NAME} into ${runtime.home}`,
  );
  await openTree(pluginDir(runtime.home));
  return {
    status: 'installed',
    version,
    note: `${ANALYSIS_PLUGIN_NAME} ${version} built and installed into ${runtime.home}`,
  };
}

/** Whether the node at `url` has loaded the plugin (null: could not tell). */
export async function nodeHasAnalysisPlugin(url: string): Promise<boolean | null> {
  try {
    const res = await fetch(`${url}/_cat/plugins?h=component&format=json`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return null;
    const rows = (await res.json()) as Array<{ component?: string }>;
    return rows.some((r) => r.component === ANALYSIS_PLUGIN_NAME);
  } catch {
    return null;
  }
}
