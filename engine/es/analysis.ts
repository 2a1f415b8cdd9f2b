/**
 * Which analyzers the target cluster offers, and the per-language choice made from them. Users'
 * clusters differ (hanlp, smartcn, ik plugins, or only core analysis as on the embedded node), so
 * the index is built from what `_analyze` says exists, following a preference list per language.
 * The choice is recorded in the index `_meta` (see index.ts) and shown by the CLI/UI.
 */
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { esErrorToRwb } from './client.ts';

export interface AnalyzerCandidate {
  family: string;
  /** Analyzer used when indexing. */
  index: string;
  /** Analyzer used for queries (finer-grained index analyzers pair with a coarser search one). */
  search: string;
}

/**
 * zh: hanlp → smartcn → ik (a user's cluster keeps its own plugins) → rwb_jieba (our rwb-analysis
 * plugin, installed into the embedded node; see analysis-plugin.ts) → cjk → standard (the seed uses
 * hanlp_index / hanlp_standard). rwb_smartcn is in the plugin too but measured below jieba
 * (docs/analysis.md), so detection does not pick it.
 */
export const ZH_PREFERENCE: readonly AnalyzerCandidate[] = [
  { family: 'hanlp', index: 'hanlp_index', search: 'hanlp_standard' },
  { family: 'smartcn', index: 'smartcn', search: 'smartcn' },
  { family: 'ik', index: 'ik_max_word', search: 'ik_smart' },
  { family: 'rwb_jieba', index: 'rwb_jieba', search: 'rwb_jieba' },
  { family: 'cjk', index: 'cjk', search: 'cjk' },
  { family: 'standard', index: 'standard', search: 'standard' },
];

/**
 * en: english (stemming + stop words, from analysis-common) → rwb_english (the same Lucene chain
 * from our plugin, on the embedded node) → standard.
 */
export const EN_PREFERENCE: readonly AnalyzerCandidate[] = [
  { family: 'english', index: 'english', search: 'english' },
  { family: 'rwb_english', index: 'rwb_english', search: 'rwb_english' },
  { family: 'standard', index: 'standard', search: 'standard' },
];

/** Token filters a keyword normalizer may use, in order; `lowercase` is required for one at all. */
export const NORMALIZER_FILTERS = ['lowercase', 'asciifolding'] as const;
export const KEYWORD_NORMALIZER_NAME = 'rwb_keyword';

export interface LanguageAnalysis {
  family: string;
  indexAnalyzer: string;
  searchAnalyzer: string;
}

export interface AnalysisChoice {
  zh: LanguageAnalysis;
  en: LanguageAnalysis;
  /** The custom normalizer for keyword sub-fields (vendor_*.keyword), or null: case-sensitive keywords. */
  keywordNormalizer: { name: string; filters: string[] } | null;
  /** What was probed: analyzer names and `filter:<name>` → present on the cluster. */
  available: Record<string, boolean>;
}

export interface AnalysisPreferences {
  zh?: readonly AnalyzerCandidate[];
  en?: readonly AnalyzerCandidate[];
}

const FALLBACK: LanguageAnalysis = {
  family: 'standard',
  indexAnalyzer: 'standard',
  searchAnalyzer: 'standard',
};

function pick(
  candidates: readonly AnalyzerCandidate[],
  available: Record<string, boolean>,
): LanguageAnalysis {
  for (const c of candidates) {
    // `standard` is built into every cluster.
    const has = (name: string) => name === 'standard' || available[name] === true;
    if (has(c.index) && has(c.search))
      return { family: c.family, indexAnalyzer: c.index, searchAnalyzer: c.search };
  }
  return FALLBACK;
}

/** The choice for a given probe result (pure; unit-tested). */
export function chooseAnalysis(
  available: Record<string, boolean>,
  prefs: AnalysisPreferences = {},
): AnalysisChoice {
  const filters = NORMALIZER_FILTERS.filter((f) => available[`filter:${f}`] === true);
  return {
    zh: pick(prefs.zh ?? ZH_PREFERENCE, available),
    en: pick(prefs.en ?? EN_PREFERENCE, available),
    keywordNormalizer: filters.includes('lowercase')
      ? { name: KEYWORD_NORMALIZER_NAME, filters: [...filters] }
      : null,
    available,
  };
}

/** What an index built for only core analysis uses (tests, and clusters that cannot be probed). */
export function coreAnalysis(): AnalysisChoice {
  return chooseAnalysis({ 'filter:lowercase': true });
}

function isMissingAnalysisComponent(err: unknown): boolean {
  // "failed to find global analyzer [english]" / "failed to find global filter under [asciifolding]"
  return err instanceof errors.ResponseError && err.statusCode === 400;
}

async function probe(
  client: Client,
  body: { analyzer?: string; tokenizer?: string; filter?: string[] },
): Promise<boolean> {
  try {
    await client.indices.analyze({ ...body, text: 'Probe 测试' });
    return true;
  } catch (err) {
    if (isMissingAnalysisComponent(err)) return false;
    throw err;
  }
}

/**
 * Asks the cluster (`_analyze` with built-in names, no index needed) which analyzers and normalizer
 * filters exist, and picks per language from the preference lists.
 */
export async function detectAnalysis(
  client: Client,
  prefs: AnalysisPreferences = {},
  url = 'the cluster',
): Promise<AnalysisChoice> {
  const candidates = [...(prefs.zh ?? ZH_PREFERENCE), ...(prefs.en ?? EN_PREFERENCE)];
  const analyzers = [...new Set(candidates.flatMap((c) => [c.index, c.search]))].filter(
    (a) => a !== 'standard',
  );
  try {
    const results = await Promise.all([
      ...analyzers.map(async (name) => [name, await probe(client, { analyzer: name })] as const),
      ...NORMALIZER_FILTERS.map(
        async (f) =>
          [`filter:${f}`, await probe(client, { tokenizer: 'standard', filter: [f] })] as const,
      ),
    ]);
    return chooseAnalysis(Object.fromEntries(results), prefs);
  } catch (err) {
    throw esErrorToRwb(err, url, 'the analysis probe (_analyze)');
  }
}

/** One line for humans, e.g. "zh: smartcn, en: english, keyword normalizer: lowercase+asciifolding". */
export function describeAnalysis(choice: AnalysisChoice): string {
  const lang = (l: LanguageAnalysis) =>
    l.indexAnalyzer === l.searchAnalyzer
      ? l.indexAnalyzer
      : `${l.indexAnalyzer} (search: ${l.searchAnalyzer})`;
  const norm = choice.keywordNormalizer
    ? choice.keywordNormalizer.filters.join('+')
    : 'none (case-sensitive)';
  return `zh: ${lang(choice.zh)}, en: ${lang(choice.en)}, keyword normalizer: ${norm}`;
}

/**
 * What a choice lacks, in words, when it fell back to `standard` (a cluster without the analyzers:
 * e.g. an embedded node whose rwb-analysis plugin could not be built). Empty when nothing is missing.
 */
export function analysisFallbackNotes(choice: Pick<AnalysisChoice, 'zh' | 'en'>): string[] {
  const notes: string[] = [];
  if (choice.en.family === 'standard')
    notes.push(
      'en without stemming: the cluster has neither `english` nor `rwb_english` (rwb-analysis plugin)',
    );
  if (choice.zh.family === 'standard')
    notes.push(
      'zh as single characters: the cluster has no hanlp, smartcn, ik or `rwb_jieba` (rwb-analysis plugin) analyzer',
    );
  return notes;
}

/** describeAnalysis plus the fallback notes, e.g. for `rwb es index` and ingest logs. */
export function summarizeAnalysis(choice: AnalysisChoice): string {
  const notes = analysisFallbackNotes(choice);
  return notes.length === 0
    ? describeAnalysis(choice)
    : `${describeAnalysis(choice)} (${notes.join('; ')})`;
}
