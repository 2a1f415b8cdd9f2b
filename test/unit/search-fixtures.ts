/**
 * Shared fixtures of the engine/search unit tests: the seed's config (rewrite dictionary, glossary,
 * a `name` domain), a deterministic embedder, and a helper that runs parse + build without ES.
 */
import { expect } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import type { QueryEmbedder } from '../../engine/query/query-parser.ts';
import { prepareSearch, type PreparedSearch } from '../../engine/search/searcher.ts';

export function seedSearchConfig(change: (config: SearchConfig) => void = () => {}): SearchConfig {
  const config = defaultSearchConfig();
  config.domains.push({
    name: 'name',
    label: '商品名',
    boost: 1,
    type: 'best_fields',
    operator: 'or',
    fields: [{ field: 'title_zh', boost: 1 }],
    languageFieldMapping: { zh: ['title_zh'] },
  });
  config.query.rewrite.dictionary = {
    芭比: 'brand:芭比 OR name:芭比娃娃',
    玩具: 'category:玩具',
    消防: 'category:消防 OR name:消防',
  };
  config.query.translation.glossary = [
    { zh: '芭比', en: 'Barbie' },
    { zh: '手机', en: 'mobile phone' },
    { zh: '蓝牙耳机', en: 'bluetooth headphones' },
    { zh: '耳机', en: 'headphones' },
    { zh: '笔记本电脑', en: 'laptop' },
    { zh: '游戏', en: 'gaming' },
    { zh: '便宜', en: 'cheap' },
  ];
  change(config);
  return parseSearchConfig(config);
}

/** A 4-d unit vector derived from the text (stable across runs). */
export const fakeEmbedder: QueryEmbedder = async (text) => {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.codePointAt(0)!) % 1000;
  const v = [1, (h % 10) / 10, ((h / 10) % 10) / 10, 0.5];
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => Math.round((x / n) * 1000) / 1000));
};

export async function prepare(
  request: Record<string, unknown>,
  config: SearchConfig = seedSearchConfig(),
  options: { embed?: boolean } = {},
): Promise<PreparedSearch> {
  return prepareSearch(request, config, {
    languageDetector: null,
    translator: createTranslator(config.query.translation),
    ...(options.embed ? { embedder: fakeEmbedder } : {}),
  });
}

export async function build(
  request: Record<string, unknown>,
  config?: SearchConfig,
  options?: { embed?: boolean },
): Promise<estypes.SearchRequest> {
  return (await prepare(request, config, options)).request;
}

/** The query's bool (the builder always makes the root a bool). */
export function rootBool(body: estypes.SearchRequest): estypes.QueryDslBoolQuery {
  const bool = body.query?.bool;
  if (bool === undefined) throw new Error('query root is not a bool');
  return bool;
}

/** The function_score's query, or the query itself when no function is on. */
export function recallOf(body: estypes.SearchRequest): estypes.QueryDslQueryContainer {
  const must = rootBool(body).must as estypes.QueryDslQueryContainer[];
  expect(must).toHaveLength(1);
  const functionScore = must[0]!.function_score as estypes.QueryDslFunctionScoreQuery | undefined;
  return functionScore?.query ?? must[0]!;
}
