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
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { RwbError } from '../errors.ts';
import { fetchMavenArtifact, type MavenArtifact } from '../net/maven.ts';
import { paths, repoRoot } from '../paths.ts';
import { detectJava } from './java.ts';

export const ANALYSIS_PLUGIN_NAME = 'rwb-analysis';
const PLUGIN_BASE_VERSION = '1.0.0';
/** The Java release the plugin is compiled for (the embedded node's minimum). */
const JAVA_RELEASE = '17';

/** The analyzers the plugin registers (see plugins/rwb-analysis and docs/analysis.md). */
export const PLUGIN_ANALYZERS = ['rwb_english', 'rwb_english_light', 'rwb_jieba', 'rwb_smartcn'];

/** The four extension points of the stable analysis API, by interface simple name. */
const EXTENSIBLES = [
  'AnalyzerFactory',
  'TokenizerFactory',
  'TokenFilterFactory',
  'CharFilterFactory',
];
const API_PACKAGE = 'org.elasticsearch.plugin.analysis';

export interface AnalysisPluginResult {
  /** installed: built and installed now; present: already there; skipped: not possible here. */
  status: 'installed' | 'present' | 'skipped' | 'disabled';
  /** The descriptor version (base version + build hash), or null when skipped. */
  version: string | null;
  /** One sentence for the user. */
  note: string;
}

export interface PluginSources {
  dir: string;
  /** Path relative to `dir` → file text. */
  files: Map<string, string>;
}

/** Where the plugin's Java sources live: RWB_ANALYSIS_PLUGIN_SRC, else plugins/rwb-analysis. */
export function pluginSourceDir(): string {
  const fromEnv = process.env.RWB_ANALYSIS_PLUGIN_SRC?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(repoRoot(), 'plugins', 'rwb-analysis');
}

function listJavaFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listJavaFiles(full, base);
    return entry.name.endsWith('.java') ? [path.relative(base, full)] : [];
  });
}

export function readPluginSources(dir = pluginSourceDir()): PluginSources | null {
  const javaDir = path.join(dir, 'src', 'main', 'java');
  if (!existsSync(javaDir)) return null;
  const files = new Map<string, string>();
  for (const rel of listJavaFiles(javaDir).sort())
    files.set(rel, readFileSync(path.join(javaDir, rel), 'utf8'));
  return files.size > 0 ? { dir, files } : null;
}

/**
 * named_components.json from the sources: `{ "<api interface>": { "<name>": "<class>" } }` for
 * every public class annotated `@NamedComponent("<name>")` that implements one of the analysis
 * extension points. Pure (unit-tested against the real sources).
 */
export function namedComponents(
  files: ReadonlyMap<string, string>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [file, text] of files) {
    const name = /@NamedComponent\(\s*"([^"]+)"\s*\)/.exec(text)?.[1];
    if (name === undefined) continue;
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    const decl = /public\s+(?:final\s+)?class\s+(\w+)\s+implements\s+([\w.,\s]+?)\s*\{/.exec(text);
    const api = decl?.[2]
      ?.split(',')
      .map((s) => s.trim().split('.').pop()!)
      .find((s) => EXTENSIBLES.includes(s));
    if (!pkg || !decl || !api) {
      throw new RwbError(
        'ES_RUNTIME',
        `${file}: @NamedComponent("${name}") must be on a public class in a package that implements one of ${EXTENSIBLES.join(', ')}.`,
      );
    }
    const key = `${API_PACKAGE}.${api}`;
    const byName = (out[key] ??= {});
    if (Object.hasOwn(byName, name))
      throw new RwbError('ES_RUNTIME', `${file}: the component name "${name}" is used twice.`);
    byName[name] = `${pkg}.${decl[1]}`;
  }
  return out;
}

/** The libraries bundled into the plugin zip (not on the node's classpath). */
export function bundledDependencies(luceneVersion: string): MavenArtifact[] {
  return [
    {
      groupId: 'org.apache.lucene',
      artifactId: 'lucene-analysis-smartcn',
      version: luceneVersion,
      type: 'jar',
    },
    { groupId: 'com.huaban', artifactId: 'jieba-analysis', version: '1.0.2', type: 'jar' },
    // jieba-analysis's one runtime dependency (its pom).
    { groupId: 'org.apache.commons', artifactId: 'commons-lang3', version: '3.3.1', type: 'jar' },
  ];
}

/** The jars of the node's lib/ the sources compile against. */
const COMPILE_JARS = [
  /^elasticsearch-plugin-analysis-api-.*\.jar$/,
  /^elasticsearch-plugin-api-.*\.jar$/,
  /^lucene-core-.*\.jar$/,
  /^lucene-analysis-common-.*\.jar$/,
];

export function luceneVersionOf(esHome: string): string {
  const lib = path.join(esHome, 'lib');
  const core = readdirSync(lib).find((f) => /^lucene-core-[\d.]+\.jar$/.test(f));
  if (!core)
    throw new RwbError(
      'ES_RUNTIME',
      `No lucene-core jar in ${lib}: is it an Elasticsearch runtime?`,
    );
  return core.slice('lucene-core-'.length, -'.jar'.length);
}

function buildVersion(sources: PluginSources, esVersion: string, luceneVersion: string): string {
  const hash = createHash('sha256');
  hash.update(`${esVersion}\n${luceneVersion}\n${JAVA_RELEASE}\n`);
  for (const dep of bundledDependencies(luceneVersion))
    hash.update(`${dep.artifactId}:${dep.version}\n`);
  for (const [file, text] of sources.files) hash.update(`${file}\n${text}\n`);
  return `${PLUGIN_BASE_VERSION}-${hash.digest('hex').slice(0, 12)}`;
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

async function readTree(dir: string, base = dir, out: Zippable = {}): Promise<Zippable> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await readTree(full, base, out);
    else out[path.relative(base, full).split(path.sep).join('/')] = await fs.readFile(full);
  }
  return out;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): string {
  const r = spawnSync(cmd, args, {
    env,
    encoding: 'utf8',
    timeout: 300_000,
    shell: process.platform === 'win32',
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    throw new RwbError(
      'ES_RUNTIME',
      `${what} failed (${why}): ${output.split('\n').slice(-15).join('\n')}`,
    );
  }
  return output;
}

/** Compiles the sources and writes the stable-plugin zip; returns its path (cached by version). */
async function buildPluginZip(opts: {
  esHome: string;
  esVersion: string;
  luceneVersion: string;
  sources: PluginSources;
  version: string;
  javac: string;
  signal?: AbortSignal;
}): Promise<string> {
  const cacheDir = path.join(paths.runtimes(), 'plugins');
  const zipFile = path.join(
    cacheDir,
    `${ANALYSIS_PLUGIN_NAME}-${opts.esVersion}-${opts.version}.zip`,
  );
  if (existsSync(zipFile)) return zipFile;

  const deps: string[] = [];
  for (const dep of bundledDependencies(opts.luceneVersion)) {
    const dest = path.join(paths.runtimes(), 'downloads', `${dep.artifactId}-${dep.version}.jar`);
    deps.push(await fetchMavenArtifact(dep, dest, { signal: opts.signal }));
  }
  const lib = path.join(opts.esHome, 'lib');
  const libJars = readdirSync(lib).filter((f) => COMPILE_JARS.some((re) => re.test(f)));
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-analysis-build-'));
  try {
    const srcDir = path.join(work, 'src');
    const classes = path.join(work, 'classes');
    await fs.mkdir(classes, { recursive: true });
    const sourceFiles: string[] = [];
    for (const [rel, text] of opts.sources.files) {
      const file = path.join(srcDir, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      sourceFiles.push(file);
    }
    const classpath = [...libJars.map((j) => path.join(lib, j)), ...deps].join(path.delimiter);
    run(
      opts.javac,
      [
        '--release',
        JAVA_RELEASE,
        '-encoding',
        'UTF-8',
        '-nowarn',
        '-d',
        classes,
        '-cp',
        classpath,
        ...sourceFiles,
      ],
      process.env,
      `Compiling the ${ANALYSIS_PLUGIN_NAME} plugin with ${opts.javac}`,
    );
    const jar = zipSync({
      'META-INF/MANIFEST.MF': new TextEncoder().encode(
        'Manifest-Version: 1.0\r\nCreated-By: rwb\r\n\r\n',
      ),
      ...(await readTree(classes)),
    });
    const descriptor = [
      `description=Relevance Workbench analysis: English stemming (rwb_english, rwb_english_light), Chinese words (rwb_jieba, rwb_smartcn)`,
      `version=${opts.version}`,
      `name=${ANALYSIS_PLUGIN_NAME}`,
      `java.version=${JAVA_RELEASE}`,
      `elasticsearch.version=${opts.esVersion}`,
      '',
    ].join('\n');
    const entries: Zippable = {
      [`${ANALYSIS_PLUGIN_NAME}.jar`]: [jar, { level: 0 }],
      'stable-plugin-descriptor.properties': new TextEncoder().encode(descriptor),
      'named_components.json': new TextEncoder().encode(
        `${JSON.stringify(namedComponents(opts.sources.files), null, 2)}\n`,
      ),
    };
    for (const dep of deps) entries[path.basename(dep)] = [await fs.readFile(dep), { level: 0 }];
    await fs.mkdir(cacheDir, { recursive: true });
    const partial = `${zipFile}.part-${process.pid}`;
    await fs.writeFile(partial, zipSync(entries));
    await fs.rename(partial, zipFile);
    return zipFile;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
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
  const cached = path.join(
    paths.runtimes(),
    'plugins',
    `${ANALYSIS_PLUGIN_NAME}-${runtime.version}-${version}.zip`,
  );
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
    run(
      tool,
      ['remove', ANALYSIS_PLUGIN_NAME],
      toolEnv,
      `Removing the old ${ANALYSIS_PLUGIN_NAME}`,
    );
  run(
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
