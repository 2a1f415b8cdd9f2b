import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import {
  ensureAnalysisPlugin,
  findJavac,
  PLUGIN_ANALYZERS,
} from '../../engine/es/analysis-plugin.ts';
import {
  bundledDependencies,
  namedComponents,
  readPluginSources,
} from '../../engine/es/analysis-plugin-build.ts';
import { KNOWN_ANALYZERS } from '../../engine/config/search-config-schema.ts';

const API = 'org.elasticsearch.plugin.analysis';

describe('named_components.json from the plugin sources', () => {
  const sources = readPluginSources();

  it('finds the Java sources in plugins/rwb-analysis', () => {
    expect(sources).not.toBeNull();
    expect([...sources!.files.keys()]).toContain('org/rwb/analysis/JiebaTokenizer.java');
  });

  it('lists every component under its extension point, with its class', () => {
    const components = namedComponents(sources!.files);
    expect(components).toEqual({
      [`${API}.AnalyzerFactory`]: {
        rwb_english: 'org.rwb.analysis.EnglishAnalyzerFactory',
        rwb_english_light: 'org.rwb.analysis.LightEnglishAnalyzerFactory',
        rwb_jieba: 'org.rwb.analysis.JiebaAnalyzerFactory',
        rwb_smartcn: 'org.rwb.analysis.SmartChineseAnalyzerFactory',
      },
      [`${API}.TokenizerFactory`]: {
        rwb_jieba_tokenizer: 'org.rwb.analysis.JiebaTokenizerFactory',
        rwb_smartcn_tokenizer: 'org.rwb.analysis.SmartChineseTokenizerFactory',
      },
      [`${API}.TokenFilterFactory`]: {
        rwb_english_possessive: 'org.rwb.analysis.EnglishPossessiveFilterFactory',
        rwb_english_stop: 'org.rwb.analysis.EnglishStopFilterFactory',
        rwb_kstem: 'org.rwb.analysis.KStemFilterFactory',
        rwb_porter_stem: 'org.rwb.analysis.PorterStemFilterFactory',
      },
    });
    // The analyzers the engine names are the ones the plugin registers, and configs may name them.
    expect(Object.keys(components[`${API}.AnalyzerFactory`]!).sort()).toEqual(
      [...PLUGIN_ANALYZERS].sort(),
    );
    for (const a of PLUGIN_ANALYZERS) expect(KNOWN_ANALYZERS.has(a)).toBe(true);
  });

  it('refuses an annotated class that implements no analysis extension point', () => {
    const files = new Map([
      [
        'x/Bad.java',
        'package x;\n@NamedComponent("bad")\npublic class Bad implements Runnable {\n}\n',
      ],
    ]);
    expect(() => namedComponents(files)).toThrow(RwbError);
    expect(() => namedComponents(files)).toThrow(/x\/Bad\.java: @NamedComponent\("bad"\)/);
  });

  it('refuses the same name twice', () => {
    const cls = (name: string) =>
      `package x;\n@NamedComponent("dup")\npublic class ${name} implements AnalyzerFactory {\n}\n`;
    const files = new Map([
      ['x/A.java', cls('A')],
      ['x/B.java', cls('B')],
    ]);
    expect(() => namedComponents(files)).toThrow(/x\/B\.java: the component name "dup"/);
  });
});

describe('bundled dependencies', () => {
  it('are smartcn of the node’s Lucene version, jieba and its commons-lang3', () => {
    expect(
      bundledDependencies('9.12.2').map((d) => `${d.groupId}:${d.artifactId}:${d.version}`),
    ).toEqual([
      'org.apache.lucene:lucene-analysis-smartcn:9.12.2',
      'com.huaban:jieba-analysis:1.0.2',
      'org.apache.commons:commons-lang3:3.3.1',
    ]);
  });
});

describe('ensureAnalysisPlugin when it cannot build', () => {
  let dir = '';
  const runtime = () => ({ home: path.join(dir, 'es'), version: '8.19.21' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-plugin-unit-'));
    // A runtime as far as the plugin step looks at one: lib/ with a Lucene core jar.
    await mkdir(path.join(dir, 'es', 'lib'), { recursive: true });
    await writeFile(path.join(dir, 'es', 'lib', 'lucene-core-9.12.2.jar'), '');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the node alone with RWB_ES_ANALYSIS_PLUGIN=0', async () => {
    const result = await ensureAnalysisPlugin(runtime(), { env: { RWB_ES_ANALYSIS_PLUGIN: '0' } });
    expect(result).toMatchObject({ status: 'disabled', version: null });
  });

  it('says that a JDK is needed when there is no javac, and installs nothing', async () => {
    const saved = { home: process.env.RWB_HOME, path: process.env.PATH };
    process.env.RWB_HOME = path.join(dir, 'home');
    // No Java anywhere: no ES_JAVA_HOME / JAVA_HOME, a PATH without java or javac (java.ts reads
    // the process PATH itself).
    process.env.PATH = dir;
    try {
      const result = await ensureAnalysisPlugin(runtime(), { env: { PATH: dir } });
      expect(result.status).toBe('skipped');
      expect(result.note).toMatch(/no javac found .*JDK 17\+.*core analysis/);
      expect(existsSync(path.join(dir, 'es', 'plugins'))).toBe(false);
    } finally {
      process.env.PATH = saved.path;
      if (saved.home === undefined) delete process.env.RWB_HOME;
      else process.env.RWB_HOME = saved.home;
    }
  });

  it('finds javac in ES_JAVA_HOME before PATH', async () => {
    const jdk = path.join(dir, 'jdk');
    await mkdir(path.join(jdk, 'bin'), { recursive: true });
    await writeFile(path.join(jdk, 'bin', 'javac'), '');
    expect(findJavac({ ES_JAVA_HOME: jdk, PATH: dir })).toBe(path.join(jdk, 'bin', 'javac'));
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(findJavac({ PATH: path.join(jdk, 'bin') })).toBe(path.join(jdk, 'bin', 'javac'));
      expect(findJavac({ PATH: dir })).toBeNull();
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
