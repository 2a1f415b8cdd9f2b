/**
 * The text side of "why is this product missing", read from Elasticsearch rather than guessed:
 *  - the query's tokens per field come from `_analyze` with that field (its search analyzer, or the
 *    domain's analyzer), the product's from `_termvectors` (computed from `_source` when the index
 *    stores none), so "matched" means the same terms ES compares;
 *  - how many tokens a field must hold follows the domain's operator / minimum_should_match
 *    (`requiredTokens`); cross_fields and combined_fields count the fields together;
 *  - stemming: when a query word misses a field, the query and the field's text are analysed with
 *    an English stemming analyzer the cluster offers (`english`, else our `rwb_english`); a word
 *    whose stem the field holds is reported with both surface forms (`batteries` / `battery`).
 */
import type { Client } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import type { ParsedQuery } from '../query/query-parser.ts';
import type { SearchFieldCatalog } from './fields.ts';
import { effectiveMatch } from './text-match.ts';
import { routeTermFields } from './text-recall.ts';
import type { ClauseFailure, StemmingHint, TermMatch } from './explain-missing-schema.ts';

interface Token {
  token: string;
  start: number;
  end: number;
}

type AnalyzeWith = { field: string } | { analyzer: string };

export async function analyzeText(
  client: Client,
  index: string | undefined,
  how: AnalyzeWith,
  text: string,
): Promise<Token[]> {
  const answer = await client.indices.analyze({ ...(index ? { index } : {}), ...how, text });
  return (answer.tokens ?? []).map((t) => ({
    token: t.token,
    start: t.start_offset,
    end: t.end_offset,
  }));
}

/** field → the terms the product's field holds (as indexed). */
export async function productTerms(
  client: Client,
  index: string,
  id: string,
  fields: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (fields.length === 0) return out;
  const answer = await client.termvectors({
    index,
    id,
    fields: [...fields],
    positions: false,
    offsets: false,
    payloads: false,
    term_statistics: false,
    field_statistics: false,
  });
  for (const field of fields) {
    const terms = answer.term_vectors?.[field]?.terms ?? {};
    out.set(field, new Set(Object.keys(terms)));
  }
  return out;
}

/**
 * How many of `n` tokens must match under `operator` / `minimumShouldMatch` (ES semantics for the
 * plain forms: `3`, `-1`, `75%`, `-25%`); null for conditional forms (`2<75%`).
 */
export function requiredTokens(
  n: number,
  operator: 'or' | 'and',
  minimumShouldMatch: string | null | undefined,
): number | null {
  if (n === 0) return 0;
  if (operator === 'and') return n;
  if (minimumShouldMatch === undefined || minimumShouldMatch === null) return 1;
  const spec = minimumShouldMatch.trim();
  let required: number;
  const percent = /^(-?)(\d+(?:\.\d+)?)%$/.exec(spec);
  const count = /^(-?)(\d+)$/.exec(spec);
  if (percent) {
    const share = Math.floor((n * Number(percent[2])) / 100);
    required = percent[1] === '-' ? n - share : share;
  } else if (count) {
    required = count[1] === '-' ? n - Number(count[2]) : Number(count[2]);
  } else return null;
  return Math.min(n, Math.max(1, required));
}

const TOGETHER: ReadonlySet<string> = new Set(['cross_fields', 'combined_fields']);

/** Per non-negated query term: per field of its domain, which of its tokens the product holds. */
export async function termMatches(
  client: Client,
  index: string,
  id: string,
  parsed: ParsedQuery,
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): Promise<{ matches: TermMatch[]; fieldTexts: Map<string, string[]> }> {
  const planned: Array<{
    domain: SearchConfig['domains'][number];
    text: string;
    fields: Array<{ field: string; boost: number }>;
  }> = [];
  for (const term of parsed.terms) {
    if (term.negated) continue;
    const domain = config.domains.find((d) => d.name === term.domain);
    if (domain === undefined) continue;
    const groups = routeTermFields(domain, term.text, term.language.language, term.translations);
    for (const [text, fields] of groups) {
      const usable = fields.filter((f) => {
        const known = catalog.get(f.field);
        return known !== undefined && known.nestedPath === null;
      });
      planned.push({ domain, text, fields: usable });
    }
  }
  const fieldNames = [...new Set(planned.flatMap((p) => p.fields.map((f) => f.field)))];
  const held = await productTerms(client, index, id, fieldNames);
  const analyzed = new Map<string, string[]>();
  const tokensOf = async (field: string, text: string, analyzer?: string): Promise<string[]> => {
    const key = `${analyzer ?? field}\u0000${text}`;
    let tokens = analyzed.get(key);
    if (tokens === undefined) {
      const how: AnalyzeWith = analyzer === undefined ? { field } : { analyzer };
      tokens = [...new Set((await analyzeText(client, index, how, text)).map((t) => t.token))];
      analyzed.set(key, tokens);
    }
    return tokens;
  };
  const matches: TermMatch[] = [];
  const fieldTexts = new Map<string, string[]>();
  for (const { domain, text, fields } of planned) {
    const settings = effectiveMatch(domain, config.ranking);
    let tokenCount = 0;
    const union = new Set<string>();
    const rows = [];
    let bestField = 0;
    for (const { field, boost } of fields) {
      const tokens = await tokensOf(field, text, domain.analyzer);
      tokenCount = Math.max(tokenCount, tokens.length);
      const have = held.get(field) ?? new Set<string>();
      const matched = tokens.filter((t) => have.has(t));
      matched.forEach((t) => union.add(t));
      bestField = Math.max(bestField, matched.length);
      rows.push({ field, boost, matched, missing: tokens.filter((t) => !have.has(t)) });
      fieldTexts.set(field, [...(fieldTexts.get(field) ?? []), text]);
    }
    const phrase = settings.type === 'phrase' || settings.type === 'phrase_prefix';
    const required = phrase
      ? tokenCount
      : requiredTokens(tokenCount, settings.operator, settings.minimumShouldMatch ?? null);
    matches.push({
      domain: domain.name,
      text,
      type: settings.type,
      operator: settings.operator,
      minimumShouldMatch: settings.minimumShouldMatch ?? null,
      required,
      tokens: tokenCount,
      fields: rows,
      bestMatched: TOGETHER.has(settings.type) ? union.size : bestField,
    });
  }
  return { matches, fieldTexts };
}

/** Text fields of the index that no domain searches, with the query tokens the product holds there. */
export async function unsearchedFieldMatches(
  client: Client,
  index: string,
  id: string,
  text: string,
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): Promise<Array<{ field: string; matched: string[] }>> {
  if (text.trim() === '') return [];
  const searched = new Set(config.domains.flatMap((d) => d.fields.map((f) => f.field)));
  const candidates = [...catalog.values()]
    .filter((f) => f.type === 'text' && f.nestedPath === null && f.indexed && !searched.has(f.path))
    .map((f) => f.path);
  const held = await productTerms(client, index, id, candidates);
  const out: Array<{ field: string; matched: string[] }> = [];
  for (const field of candidates) {
    const have = held.get(field);
    if (have === undefined || have.size === 0) continue;
    const tokens = (await analyzeText(client, index, { field }, text)).map((t) => t.token);
    const matched = [...new Set(tokens.filter((t) => have.has(t)))];
    if (matched.length > 0) out.push({ field, matched });
  }
  return out;
}

const STEMMERS = ['english', 'rwb_english'] as const;

/** The first English stemming analyzer the cluster offers, or null. */
export async function stemmingAnalyzer(client: Client): Promise<string | null> {
  for (const analyzer of STEMMERS) {
    try {
      const tokens = await analyzeText(client, undefined, { analyzer }, 'batteries');
      if (tokens.length === 1 && tokens[0]!.token !== 'batteries') return analyzer;
    } catch {
      // Not on this cluster: try the next.
    }
  }
  return null;
}

/**
 * Query words a field misses that it holds in another inflection: the missing tokens of each
 * field, stemmed with `stemmer` on both sides. `values` are the product's texts per field.
 */
export async function stemmingHints(
  client: Client,
  stemmer: string,
  matches: readonly TermMatch[],
  values: ReadonlyMap<string, readonly string[]>,
): Promise<StemmingHint[]> {
  const hints: StemmingHint[] = [];
  const seen = new Set<string>();
  const stemmed = async (text: string): Promise<Array<{ stem: string; surface: string }>> =>
    (await analyzeText(client, undefined, { analyzer: stemmer }, text)).map((t) => ({
      stem: t.token,
      surface: text.slice(t.start, t.end),
    }));
  for (const match of matches) {
    const query = await stemmed(match.text);
    for (const row of match.fields) {
      if (row.missing.length === 0) continue;
      const productText = (values.get(row.field) ?? []).join('\n');
      if (productText === '') continue;
      const product = new Map<string, string>();
      for (const { stem, surface } of await stemmed(productText))
        if (!product.has(stem)) product.set(stem, surface);
      const missing = new Set(row.missing);
      for (const { stem, surface } of query) {
        const word = surface.toLowerCase();
        const found = product.get(stem);
        if (!missing.has(word) || found === undefined || found.toLowerCase() === word) continue;
        const key = `${row.field}\u0000${word}`;
        if (seen.has(key)) continue;
        seen.add(key);
        hints.push({ field: row.field, query: surface, product: found });
      }
    }
  }
  return hints;
}

/** Why the text clause fails, from the per-field term matches. */
export function textFailure(matches: readonly TermMatch[]): ClauseFailure {
  if (matches.length > 0 && matches.every((m) => m.bestMatched === 0))
    return {
      clause: 'text',
      reason: 'no_field_matches',
      detail: `no searched field holds any of the query's terms (${[...new Set(matches.flatMap((m) => m.fields.flatMap((f) => f.missing)))].map((t) => `\`${t}\``).join(', ')})`,
    };
  const short = matches.find((m) => m.required !== null && m.bestMatched < m.required);
  if (short !== undefined) {
    const best = short.fields.reduce(
      (a, b) => (b.matched.length > a.matched.length ? b : a),
      short.fields[0]!,
    );
    return {
      clause: 'text',
      reason: 'too_few_terms',
      detail: `${short.bestMatched} of ${short.tokens} terms of "${short.text}" match (${best.field} has ${best.matched.map((t) => `\`${t}\``).join(', ') || 'none'}, misses ${best.missing.map((t) => `\`${t}\``).join(', ')}); domain ${short.domain} (${short.type}, operator ${short.operator}${short.minimumShouldMatch === null ? '' : `, minimum_should_match ${short.minimumShouldMatch}`}) needs ${short.required}`,
    };
  }
  return {
    clause: 'text',
    reason: 'other',
    detail:
      'the terms are there but the text clause does not match (phrase order, an ANDNOT exclusion or another boolean part)',
  };
}
