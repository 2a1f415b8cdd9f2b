import { describe, expect, it } from 'vitest';
import {
  analysisFallbackNotes,
  chooseAnalysis,
  coreAnalysis,
  describeAnalysis,
  KEYWORD_NORMALIZER_NAME,
  summarizeAnalysis,
} from '../../engine/es/analysis.ts';

const has = (...names: string[]) => Object.fromEntries(names.map((n) => [n, true]));

describe('chooseAnalysis', () => {
  it('prefers hanlp for zh and english for en when the cluster has everything', () => {
    const choice = chooseAnalysis(
      has(
        'hanlp_index',
        'hanlp_standard',
        'smartcn',
        'ik_max_word',
        'ik_smart',
        'cjk',
        'english',
        'filter:lowercase',
        'filter:asciifolding',
      ),
    );
    expect(choice.zh).toEqual({
      family: 'hanlp',
      indexAnalyzer: 'hanlp_index',
      searchAnalyzer: 'hanlp_standard',
    });
    expect(choice.en).toEqual({
      family: 'english',
      indexAnalyzer: 'english',
      searchAnalyzer: 'english',
    });
    expect(choice.keywordNormalizer).toEqual({
      name: KEYWORD_NORMALIZER_NAME,
      filters: ['lowercase', 'asciifolding'],
    });
  });

  it('walks down the zh list: smartcn before ik before cjk', () => {
    expect(chooseAnalysis(has('smartcn', 'ik_max_word', 'ik_smart', 'cjk')).zh.family).toBe(
      'smartcn',
    );
    expect(chooseAnalysis(has('ik_max_word', 'ik_smart', 'cjk')).zh).toEqual({
      family: 'ik',
      indexAnalyzer: 'ik_max_word',
      searchAnalyzer: 'ik_smart',
    });
    expect(chooseAnalysis(has('cjk')).zh.family).toBe('cjk');
  });

  it('skips a family when only one of its analyzers exists', () => {
    expect(chooseAnalysis(has('hanlp_index', 'cjk')).zh.family).toBe('cjk');
  });

  it('ends at standard on a core-only cluster (the embedded node)', () => {
    const choice = chooseAnalysis(has('filter:lowercase'));
    expect(choice.zh.indexAnalyzer).toBe('standard');
    expect(choice.en.indexAnalyzer).toBe('standard');
    expect(choice.keywordNormalizer).toEqual({
      name: KEYWORD_NORMALIZER_NAME,
      filters: ['lowercase'],
    });
    expect(coreAnalysis().zh).toEqual(choice.zh);
  });

  it('has no keyword normalizer without a lowercase filter (asciifolding alone is not enough)', () => {
    expect(chooseAnalysis(has('filter:asciifolding')).keywordNormalizer).toBeNull();
  });

  it('honours a custom preference list', () => {
    const choice = chooseAnalysis(has('smartcn', 'cjk'), {
      zh: [{ family: 'cjk', index: 'cjk', search: 'cjk' }],
    });
    expect(choice.zh.family).toBe('cjk');
  });
});

describe('describeAnalysis', () => {
  it('names the analyzers and the normalizer', () => {
    const line = describeAnalysis(chooseAnalysis(has('hanlp_index', 'hanlp_standard')));
    expect(line).toBe(
      'zh: hanlp_index (search: hanlp_standard), en: standard, keyword normalizer: none (case-sensitive)',
    );
  });
});

describe('the rwb-analysis plugin in detection', () => {
  const plugin = ['rwb_english', 'rwb_english_light', 'rwb_jieba', 'rwb_smartcn'];

  it('picks rwb_jieba and rwb_english on the embedded node (core analysis + our plugin)', () => {
    const choice = chooseAnalysis(has('filter:lowercase', ...plugin));
    expect(choice.zh).toEqual({
      family: 'rwb_jieba',
      indexAnalyzer: 'rwb_jieba',
      searchAnalyzer: 'rwb_jieba',
    });
    expect(choice.en).toEqual({
      family: 'rwb_english',
      indexAnalyzer: 'rwb_english',
      searchAnalyzer: 'rwb_english',
    });
    expect(analysisFallbackNotes(choice)).toEqual([]);
    expect(summarizeAnalysis(choice)).toBe(
      'zh: rwb_jieba, en: rwb_english, keyword normalizer: lowercase',
    );
  });

  it("keeps a user cluster's own analyzers ahead of the plugin", () => {
    expect(chooseAnalysis(has('english', 'smartcn', ...plugin)).en.family).toBe('english');
    expect(chooseAnalysis(has('english', 'smartcn', ...plugin)).zh.family).toBe('smartcn');
    expect(chooseAnalysis(has('ik_max_word', 'ik_smart', ...plugin)).zh.family).toBe('ik');
    expect(chooseAnalysis(has('hanlp_index', 'hanlp_standard', ...plugin)).zh.family).toBe('hanlp');
    // The plugin goes before cjk bigrams.
    expect(chooseAnalysis(has('cjk', ...plugin)).zh.family).toBe('rwb_jieba');
  });

  it('never picks rwb_smartcn or rwb_english_light by itself (measured below jieba / Porter)', () => {
    const choice = chooseAnalysis(has('rwb_smartcn', 'rwb_english_light'));
    expect(choice.zh.family).toBe('standard');
    expect(choice.en.family).toBe('standard');
  });

  it('says what a fallback to standard lacks (a node without the plugin)', () => {
    const choice = coreAnalysis();
    const notes = analysisFallbackNotes(choice);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^en without stemming: .*`english`.*`rwb_english`/);
    expect(notes[1]).toMatch(/^zh as single characters: .*`rwb_jieba`/);
    expect(summarizeAnalysis(choice)).toBe(
      `zh: standard, en: standard, keyword normalizer: lowercase (${notes.join('; ')})`,
    );
    // Only the language that fell back is named.
    expect(analysisFallbackNotes(chooseAnalysis(has('rwb_english')))).toEqual([notes[1]]);
  });
});
