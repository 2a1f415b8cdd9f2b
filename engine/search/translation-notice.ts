/**
 * "Translation out of the box" (issue 17): with no translator (provider none, or glossary-only
 * without a DeepL key) and a catalog without English fields, an English query can only match
 * Latin-script text in the other fields (brands, model numbers) and the kNN vector. `rwb search`
 * and the Connections screen say so rather than leaving the analyst guessing at empty results.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { TranslationSettings } from '../config/search-config-schema.ts';
import { esErrorToRwb } from '../es/client.ts';

/** The English field whose presence stands for "this document has English text". */
export const ENGLISH_TITLE_FIELD = 'title_en';

export interface EnglishCoverage {
  /** Documents counted (one tenant's, or the whole index's). */
  total: number;
  /** Of those, documents with a non-empty English title. */
  withEnglish: number;
}

/** Whether queries get machine-translated: only DeepL with a key does; the glossary covers its terms only. */
export function translatorConfigured(
  settings: Pick<TranslationSettings, 'provider'>,
  deeplApiKey: string | undefined,
): boolean {
  return settings.provider === 'deepl' && (deeplApiKey ?? '').trim() !== '';
}

/** Why there is no translator, for the notice; null when there is one. */
export function missingTranslatorReason(
  settings: Pick<TranslationSettings, 'provider'>,
  deeplApiKey: string | undefined,
): string | null {
  if (translatorConfigured(settings, deeplApiKey)) return null;
  if (settings.provider === 'none') return 'translation is off (query.translation.provider "none")';
  if (settings.provider === 'glossary')
    return 'only the glossary translates (query.translation.provider "glossary")';
  return 'query.translation.provider is "deepl" but RWB_DEEPL_API_KEY is not set';
}

/**
 * The notice, or null when it does not apply: a translator exists, the documents have English
 * titles, or there are no documents at all (nothing to warn about).
 */
export function untranslatedEnglishNotice(
  reason: string | null,
  coverage: EnglishCoverage,
  scope: string,
): string | null {
  if (reason === null || coverage.total === 0 || coverage.withEnglish > 0) return null;
  return (
    `No translator: ${reason}, and no document of ${scope} has an English title (${ENGLISH_TITLE_FIELD}). ` +
    'English queries only reach Latin-script text (brands, model numbers) and kNN. ' +
    'Set query.translation.provider to "deepl" with RWB_DEEPL_API_KEY, or ingest English titles.'
  );
}

interface CoverageAggs {
  english: estypes.AggregationsFilterAggregate;
  tenants?: estypes.AggregationsStringTermsAggregate;
}

/**
 * Counts documents with and without an English title in one request (size 0): for one tenant,
 * or for the whole index with a per-tenant split (`byTenant`, the first `maxTenants` tenants).
 */
export async function englishCoverage(
  client: Client,
  index: string,
  options: { tenantId?: string; maxTenants?: number; url?: string } = {},
): Promise<EnglishCoverage & { byTenant: Map<string, EnglishCoverage> }> {
  const exists = { exists: { field: ENGLISH_TITLE_FIELD } };
  try {
    const res = await client.search<unknown, CoverageAggs>({
      index,
      size: 0,
      track_total_hits: true,
      ...(options.tenantId === undefined
        ? {}
        : { query: { term: { tenant_id: options.tenantId } } }),
      aggs: {
        english: { filter: exists },
        ...(options.tenantId === undefined
          ? {
              tenants: {
                terms: { field: 'tenant_id', size: options.maxTenants ?? 1000 },
                aggs: { english: { filter: exists } },
              },
            }
          : {}),
      },
    });
    const total = res.hits.total;
    const byTenant = new Map<string, EnglishCoverage>();
    const buckets = (res.aggregations?.tenants?.buckets ?? []) as Array<
      estypes.AggregationsStringTermsBucket & { english?: { doc_count: number } }
    >;
    for (const bucket of buckets) {
      byTenant.set(String(bucket.key), {
        total: bucket.doc_count,
        withEnglish: bucket.english?.doc_count ?? 0,
      });
    }
    return {
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      withEnglish: res.aggregations?.english.doc_count ?? 0,
      byTenant,
    };
  } catch (err) {
    throw esErrorToRwb(err, options.url ?? 'the cluster', `counting English titles in ${index}`);
  }
}
