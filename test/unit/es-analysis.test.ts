import { describe, expect, it } from 'vitest';
import {
  chooseAnalysis,
  coreAnalysis,
  describeAnalysis,
  KEYWORD_NORMALIZER_NAME,
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
