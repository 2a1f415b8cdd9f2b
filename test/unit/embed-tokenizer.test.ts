import { describe, expect, it } from 'vitest';
import {
  bertUncased,
  createTokenizerFromJson,
  truncateIds,
} from '../../engine/embed/text-tokenizer.ts';
import { tinyTokenizerJson } from '../helpers/tiny-onnx.ts';

describe('bertUncased', () => {
  it('lowercases and strips accents like BERT do_lower_case', () => {
    expect(bertUncased('Café iPhone ÉTÉ')).toBe('cafe iphone ete');
  });

  it('leaves Chinese untouched', () => {
    expect(bertUncased('蓝牙耳机 iPad')).toBe('蓝牙耳机 ipad');
  });
});

describe('truncateIds', () => {
  it('keeps short sequences as they are', () => {
    expect(truncateIds([101, 1, 2, 102], 8)).toEqual([101, 1, 2, 102]);
  });

  it('cuts to the limit and keeps the closing [SEP]', () => {
    expect(truncateIds([101, 1, 2, 3, 4, 5, 102], 4)).toEqual([101, 1, 2, 102]);
  });
});

describe('createTokenizerFromJson', () => {
  // A tokenizer.json whose normalizer does NOT lowercase, like the bge-zh export.
  const json = tinyTokenizerJson(['red', 'shoe']) as { normalizer: { lowercase: boolean } };
  json.normalizer.lowercase = false;

  it('without uncased normalisation, capitalised words are unknown', () => {
    const tok = createTokenizerFromJson(json, { lowercase: false, maxTokens: 16 });
    expect(tok.tokens('Red shoe')).toEqual(['[CLS]', '[UNK]', 'shoe', '[SEP]']);
  });

  it('with uncased normalisation they are found', () => {
    const tok = createTokenizerFromJson(json, { lowercase: true, maxTokens: 16 });
    expect(tok.tokens('Red SHOE')).toEqual(['[CLS]', 'red', 'shoe', '[SEP]']);
    expect(tok.padId).toBe(0);
  });

  it('truncates to maxTokens including special tokens', () => {
    const tok = createTokenizerFromJson(json, { lowercase: true, maxTokens: 4 });
    const ids = tok.encode('red shoe red shoe red');
    expect(ids).toHaveLength(4);
    expect(ids[0]).toBe(2); // [CLS]
    expect(ids[3]).toBe(3); // [SEP]
  });
});
