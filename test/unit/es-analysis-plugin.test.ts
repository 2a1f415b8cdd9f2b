import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { PLUGIN_ANALYZERS } from '../../engine/es/analysis-plugin.ts';
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
