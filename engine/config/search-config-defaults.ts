/**
 * The config a fresh workbench starts from, fitted to mappings/search_products.json: Chinese and
 * English text fields (`*_zh`, `*_en`) plus language-neutral `tags`. Boosts follow the seed
 * (title 3, brief/vendor/category 1.5, description 1); ranking functions are present but off, so
 * the baseline is plain BM25 + kNN and an analyst switches them on deliberately.
 */
import {
  DEFAULT_RANKING_EXPRESSION,
  SEARCH_CONFIG_SCHEMA_VERSION,
  SearchConfigObjectSchema,
  type SearchConfig,
  type SearchConfigInput,
} from './search-config-schema.ts';

/** `base_zh`, `base_en` for each base name. */
function bilingual(...bases: string[]): { zh: string[]; en: string[] } {
  return { zh: bases.map((base) => `${base}_zh`), en: bases.map((base) => `${base}_en`) };
}

function weighted(fields: string[], boost: number): Array<{ field: string; boost: number }> {
  return fields.map((field) => ({ field, boost }));
}

function bilingualDomain(
  name: string,
  label: string,
  boost: number,
  bases: Array<[string, number]>,
): SearchConfigInput['domains'][number] {
  const fields = bases.flatMap(([base, fieldBoost]) =>
    weighted([`${base}_zh`, `${base}_en`], fieldBoost),
  );
  return {
    name,
    label,
    boost,
    fields,
    languageFieldMapping: bilingual(...bases.map(([base]) => base)),
  };
}

const defaultDomain = bilingualDomain('default', '默认 (all text fields)', 1, [
  ['title', 3],
  ['brief', 1.5],
  ['description', 1],
  ['vendor', 1.5],
  ['category_path', 1.5],
  ['category_name', 1.5],
]);

const DEFAULT_CONFIG_INPUT: SearchConfigInput = {
  schemaVersion: SEARCH_CONFIG_SCHEMA_VERSION,
  name: 'default',
  description: 'Baseline: multilingual BM25 over zh/en fields, kNN on title_embedding when enabled',
  domains: [
    { ...defaultDomain, fields: [...defaultDomain.fields, { field: 'tags', boost: 1 }] },
    bilingualDomain('title', '标题 (title)', 2, [['title', 1]]),
    bilingualDomain('brief', '简介 (brief)', 1, [['brief', 1]]),
    bilingualDomain('description', '描述 (description)', 1, [['description', 1]]),
    bilingualDomain('category', '类目 (category)', 1.5, [
      ['category_name', 2],
      ['category_path', 1],
    ]),
    bilingualDomain('brand', '品牌 (vendor)', 1.5, [['vendor', 1]]),
    { name: 'tags', label: '标签 (tags)', boost: 1, fields: [{ field: 'tags', boost: 1 }] },
  ],
  query: {
    supportedLanguages: ['zh', 'en', 'ru'],
    defaultLanguage: 'zh',
    rewrite: { enabled: true, dictionary: {} },
    translation: { provider: 'glossary', targetLanguages: [], glossary: [], cacheSize: 10_000 },
    textEmbedding: { enabled: false, model: 'bge-small-zh-v15-q' },
    knn: { field: 'title_embedding', k: 50, numCandidates: 200, boost: 0.2 },
    imageKnn: {
      enabled: false,
      model: '',
      field: 'image_embedding.vector',
      k: 50,
      numCandidates: 200,
      boost: 0.2,
    },
  },
  ranking: {
    expression: DEFAULT_RANKING_EXPRESSION,
    description: 'BM25 text relevance combined with semantic embedding similarity',
    functions: [
      {
        type: 'decay',
        enabled: false,
        field: 'create_time',
        curve: 'gauss',
        origin: 'now',
        scale: '90d',
        decay: 0.5,
        weight: 1,
      },
      {
        type: 'field_value_factor',
        enabled: false,
        field: 'total_inventory',
        modifier: 'log1p',
        factor: 1,
        missing: 0,
        weight: 1,
      },
    ],
    tieBreaker: 0,
    fuzziness: null,
  },
  facets: [
    { type: 'terms', field: 'category1_name', label: '类目', size: 20 },
    { type: 'specifications', label: '规格', size: 20 },
    {
      type: 'range',
      field: 'min_price',
      label: '价格',
      ranges: [
        { key: '0-50', to: 50 },
        { key: '50-100', from: 50, to: 100 },
        { key: '100-200', from: 100, to: 200 },
        { key: '200-500', from: 200, to: 500 },
        { key: '500+', from: 500 },
      ],
    },
  ],
  sort: {
    default: ['_score'],
    options: [
      { id: 'relevance', label: '综合', by: ['_score'] },
      { id: 'price_asc', label: '价格从低到高', by: ['min_price:asc'] },
      { id: 'price_desc', label: '价格从高到低', by: ['min_price:desc'] },
      { id: 'newest', label: '最新', by: ['create_time:desc'] },
    ],
  },
  result: { defaultSize: 20, maxSize: 100, skuFilterDimension: null },
};

/** A fresh copy each call, so callers may edit it freely. */
export function defaultSearchConfig(): SearchConfig {
  return SearchConfigObjectSchema.parse(structuredClone(DEFAULT_CONFIG_INPUT));
}
