/**
 * Building the rwb-analysis plugin zip (see analysis-plugin.ts for what it is and when it is
 * built): the Java sources, named_components.json generated from their @NamedComponent
 * annotations, the bundled libraries from Maven Central, `javac` against the runtime's own lib/
 * jars, and the jar and stable-plugin zip written with fflate. No Maven or Gradle.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { RwbError } from '../errors.ts';
import { fetchMavenArtifact, type MavenArtifact } from '../net/maven.ts';
import { paths, repoRoot } from '../paths.ts';

export const ANALYSIS_PLUGIN_NAME = 'rwb-analysis';
export const PLUGIN_BASE_VERSION = '1.0.0';
/** The Java release the plugin is compiled for (the embedded node's minimum). */
export const JAVA_RELEASE = '17';

/** The four extension points of the stable analysis API, by interface simple name. */
const EXTENSIBLES = [
  'AnalyzerFactory',
  'TokenizerFactory',
  'TokenFilterFactory',
  'CharFilterFactory',
];
const API_PACKAGE = 'org.elasticsearch.plugin.analysis';

export interface PluginSources {
  dir: string;
  /** Path relative to `dir` → file text. */
  files: Map<string, string>;
}

/**
 * Where the plugin's Java sources live: RWB_ANALYSIS_PLUGIN_SRC, else plugins/rwb-analysis of the
 * repository (looked for above the engine too: the bundled app runs from out/main/).
 */
export function pluginSourceDir(): string {
  const fromEnv = process.env.RWB_ANALYSIS_PLUGIN_SRC?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  let dir = repoRoot();
  for (let up = 0; up < 3; up++) {
    const candidate = path.join(dir, 'plugins', 'rwb-analysis');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.join(repoRoot(), 'plugins', 'rwb-analysis');
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

export function buildVersion(
  sources: PluginSources,
  esVersion: string,
  luceneVersion: string,
): string {
  const hash = createHash('sha256');
  hash.update(`${esVersion}\n${luceneVersion}\n${JAVA_RELEASE}\n`);
  for (const dep of bundledDependencies(luceneVersion))
    hash.update(`${dep.artifactId}:${dep.version}\n`);
  for (const [file, text] of sources.files) hash.update(`${file}\n${text}\n`);
  return `${PLUGIN_BASE_VERSION}-${hash.digest('hex').slice(0, 12)}`;
}

async function readTree(dir: string, base = dir, out: Zippable = {}): Promise<Zippable> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await readTree(full, base, out);
    else out[path.relative(base, full).split(path.sep).join('/')] = await fs.readFile(full);
  }
  return out;
}

export function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): string {
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
export async function buildPluginZip(opts: {
  esHome: string;
  esVersion: string;
  luceneVersion: string;
  sources: PluginSources;
  version: string;
  javac: string;
  signal?: AbortSignal;
}): Promise<string> {
  const zipFile = cachedPluginZip(opts.esVersion, opts.version);
  const cacheDir = path.dirname(zipFile);
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
    runTool(
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

/** Where a built zip is cached (RWB_HOME/runtimes/plugins), whether or not it exists yet. */
export function cachedPluginZip(esVersion: string, version: string): string {
  return path.join(
    paths.runtimes(),
    'plugins',
    `${ANALYSIS_PLUGIN_NAME}-${esVersion}-${version}.zip`,
  );
}
