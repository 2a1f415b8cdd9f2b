/**
 * The starting SearchConfig for an index: the built-in default, with query embeddings switched on
 * when the index holds title vectors of a known model (the embedded default ingests with
 * bge-small-zh, and the default ranking expression `bm25() + 0.2*text_embedding_relevance()` is
 * meant to use them). An index without vectors, or one that cannot be read, keeps the plain default.
 *
 * An English-only catalog (English titles, no Chinese ones: Icecat) gets the levers measured best
 * on such a catalog (bench/icecat-ndcg.ts, docs/search-config.md): English queries without
 * translation, and the default domain matched with combined_fields (BM25F over the English fields)
 * plus a phrase-proximity boost; with vectors, reciprocal rank fusion with a small kNN weight.
 * A bilingual catalog keeps the built-in default until those levers are measured on judged Chinese
 * queries.
 */
import type { Client } from '@elastic/elasticsearch';
import { defaultSearchConfig, type SearchConfig } from '../config/search-config.ts';
import { DEFAULT_DOMAIN } from '../query/ast.ts';

export interface IndexDefaultConfig {
  config: SearchConfig;
  /** The text model whose vectors the index holds, when the config uses it. */
  textModel: string | null;
  /** False when the index could not be read (the caller may try again later). */
  indexRead: boolean;
  /** `english`: the index holds English titles and no Chinese ones; else `default`. */
  profile: 'english' | 'default';
}

/** The English-catalog levers applied to a config (a new object; `base` is not changed). */
export function englishCatalogConfig(base: SearchConfig, withVectors: boolean): SearchConfig {
  const config = structuredClone(base);
  config.query.supportedLanguages = ['en'];
  config.query.defaultLanguage = 'en';
  config.query.translation = { ...config.query.translation, provider: 'none' };
  config.domains = config.domains.map((domain) => {
    const english = domain.fields.filter((field) => !field.field.endsWith('_zh'));
    const mapping = domain.languageFieldMapping.en;
    const languageFieldMapping: Record<string, string[]> =
      mapping === undefined ? {} : { en: mapping };
    if (domain.name !== DEFAULT_DOMAIN) return { ...domain, fields: english, languageFieldMapping };
    // combined_fields takes text fields with boosts ≥ 1: the English text fields of the domain.
    const text = english.filter((field) => field.field.endsWith('_en'));
    return {
      ...domain,
      fields: text,
      languageFieldMapping: { en: text.map((field) => field.field) },
      type: 'combined_fields' as const,
      proximity: { enabled: true, fields: [], slop: 2, boost: 1 },
    };
  });
  config.domains = config.domains.filter((domain) => domain.fields.length > 0);
  if (withVectors) {
    config.ranking.expression = 'bm25() + 0.05*text_embedding_relevance()';
    config.ranking.fusion = { ...config.ranking.fusion, method: 'rrf', rankConstant: 60 };
  }
  return config;
}

async function isEnglishOnly(client: Client, index: string): Promise<boolean> {
  const count = async (field: string) =>
    (
      await client.count(
        { index, query: { exists: { field } } },
        { maxRetries: 0, requestTimeout: 3000 },
      )
    ).count;
  const [english, chinese] = await Promise.all([count('title_en'), count('title_zh')]);
  return english > 0 && chinese === 0;
}

export async function defaultConfigForIndex(
  client: Client,
  index: string,
): Promise<IndexDefaultConfig> {
  const config = defaultSearchConfig();
  try {
    // One quick look (no retries): this runs when a screen or command starts and must not stall.
    const res = await client.indices.getMapping({ index }, { maxRetries: 0, requestTimeout: 3000 });
    const meta = Object.values(res)[0]?.mappings?._meta as { text_model?: unknown } | undefined;
    const model = typeof meta?.text_model === 'string' && meta.text_model ? meta.text_model : null;
    if (model) config.query.textEmbedding = { ...config.query.textEmbedding, enabled: true, model };
    if (await isEnglishOnly(client, index)) {
      return {
        config: englishCatalogConfig(config, model !== null),
        textModel: model,
        indexRead: true,
        profile: 'english',
      };
    }
    return { config, textModel: model, indexRead: true, profile: 'default' };
  } catch {
    return { config, textModel: null, indexRead: false, profile: 'default' };
  }
}
