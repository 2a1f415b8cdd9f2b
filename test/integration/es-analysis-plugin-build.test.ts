/**
 * Building the rwb-analysis plugin for real, as `rwb es fetch` does: javac against the embedded
 * runtime's own lib/ jars, the bundled libraries from RWB_HOME (downloaded from Maven Central when
 * absent), the jar and the stable-plugin zip. The zip is built under a throwaway version and
 * removed; installing is left to `rwb es fetch` (es-analysis-plugin.test.ts checks the result live).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { afterAll, expect, it } from 'vitest';
import {
  buildPluginZip,
  luceneVersionOf,
  namedComponents,
  readPluginSources,
} from '../../engine/es/analysis-plugin-build.ts';
import { findJavac } from '../../engine/es/analysis-plugin.ts';
import { findEsRuntime } from '../../engine/es/runtime.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

const missing = [
  await requireComponent('the embedded ES runtime (rwb es fetch)', async () => {
    if (!findEsRuntime()) throw new Error('not extracted under RWB_HOME');
  }),
  await requireComponent('javac (a JDK 17+)', async () => {
    if (!findJavac()) throw new Error('no javac in ES_JAVA_HOME, JAVA_HOME or PATH');
  }),
];

describeWith(missing, 'building the rwb-analysis plugin with javac', () => {
  let zipFile = '';
  afterAll(async () => {
    if (zipFile) await rm(zipFile, { force: true });
  });

  it('writes a stable-plugin zip: our jar, the bundled jars, the descriptor, the components', async () => {
    const runtime = findEsRuntime()!;
    const sources = readPluginSources()!;
    const luceneVersion = luceneVersionOf(runtime.home);
    const version = `0.0.0-test-${randomUUID().slice(0, 8)}`;
    zipFile = await buildPluginZip({
      esHome: runtime.home,
      esVersion: runtime.version,
      luceneVersion,
      sources,
      version,
      javac: findJavac()!,
    });
    const entries = unzipSync(readFileSync(zipFile));
    expect(Object.keys(entries).sort()).toEqual(
      [
        'commons-lang3-3.3.1.jar',
        'jieba-analysis-1.0.2.jar',
        `lucene-analysis-smartcn-${luceneVersion}.jar`,
        'named_components.json',
        'rwb-analysis.jar',
        'stable-plugin-descriptor.properties',
      ].sort(),
    );
    const descriptor = new TextDecoder().decode(entries['stable-plugin-descriptor.properties']);
    expect(descriptor).toContain(`version=${version}\n`);
    expect(descriptor).toContain('name=rwb-analysis\n');
    expect(descriptor).toContain(`elasticsearch.version=${runtime.version}\n`);
    expect(descriptor).toContain('java.version=17\n');
    const components = JSON.parse(new TextDecoder().decode(entries['named_components.json']));
    expect(components).toEqual(namedComponents(sources.files));
    // Every named class was compiled into the jar, for Java 17 (class file major version 61).
    const jar = unzipSync(entries['rwb-analysis.jar']!);
    const classes = Object.values(components as Record<string, Record<string, string>>).flatMap(
      (byName) => Object.values(byName),
    );
    expect(classes.length).toBeGreaterThanOrEqual(10);
    for (const cls of classes) {
      const bytes = jar[`${cls.replaceAll('.', '/')}.class`];
      expect(bytes, cls).toBeDefined();
      expect((bytes![6]! << 8) | bytes![7]!).toBe(61);
    }
  }, 240_000);
});
