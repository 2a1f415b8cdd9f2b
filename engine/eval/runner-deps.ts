/**
 * Search dependencies for evaluating configs outside the app session (CLI, benches): each config
 * gets the translator of its own translation settings, the cached query embedder of its own
 * model and the field catalog of the index actually searched.
 */
import type { Client } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { createTranslatorWithDeepl } from '../query/translation/deepl-translator.ts';
import { translatorSecretsFromEnv, type Translator } from '../query/translation/translator.ts';
import {
  defaultSearchFields,
  searchFieldsFromMapping,
  type SearchFieldCatalog,
} from '../search/fields.ts';
import type { ConfigDependencies } from './runner.ts';
import type { QueryEmbedderSource } from './runner-embedders.ts';

/** The searchable fields of `index` from its mapping; the shipped mapping when it is unreadable. */
export async function indexFields(client: Client, index: string): Promise<SearchFieldCatalog> {
  try {
    const answer = await client.indices.getMapping({ index }, { maxRetries: 0 });
    const mapping = Object.values(answer)[0]?.mappings;
    return mapping ? searchFieldsFromMapping({ mappings: mapping }) : defaultSearchFields();
  } catch {
    // A missing index fails the searches themselves with a clear message; no need to fail here.
    return defaultSearchFields();
  }
}

export function createEvalDependencies(
  client: Client,
  index: string,
  options: { embedders?: QueryEmbedderSource; url?: string } = {},
): ConfigDependencies {
  const translators = new Map<string, Translator | null>();
  let fields: Promise<SearchFieldCatalog> | null = null;
  return async (config: SearchConfig) => {
    const key = JSON.stringify(config.query.translation);
    if (!translators.has(key)) {
      translators.set(
        key,
        createTranslatorWithDeepl(config.query.translation, translatorSecretsFromEnv()),
      );
    }
    fields ??= indexFields(client, index);
    const embedder =
      config.query.textEmbedding.enabled && options.embedders
        ? await options.embedders.forModel(config.query.textEmbedding.model)
        : undefined;
    return {
      translator: translators.get(key) ?? null,
      fields: await fields,
      ...(options.url && { url: options.url }),
      ...(embedder && { embedder }),
    };
  };
}
