/**
 * One domain's match of one text over the fields routed to it, by the domain's `type`, with only
 * the parameters Elasticsearch accepts (and honours) for that type, checked against ES 8.19:
 *
 * | type            | operator / msm | tie_breaker | fuzziness | slop |
 * | --------------- | -------------- | ----------- | --------- | ---- |
 * | best_fields     | yes            | yes         | yes       | –    |
 * | most_fields     | yes            | – (1)       | yes       | –    |
 * | cross_fields    | yes            | yes         | refused   | –    |
 * | phrase(_prefix) | – (no effect)  | yes         | refused   | yes  |
 * | bool_prefix     | yes            | – (1)       | yes       | refused |
 * | combined_fields | yes            | refused     | refused   | refused |
 *
 * minimum_should_match goes with operator `or` only (see sendsMinimumShouldMatch).
 * (1) most_fields and bool_prefix sum the fields' scores because their tie_breaker defaults to 1;
 * sending one (0 was sent before) silently turns them into best_fields, so none is sent.
 *
 * combined_fields has more: every field must share one search analyzer and be a text field, and
 * field boosts must be ≥ 1. Fields are grouped by their search analyzer (from the mapping), each
 * group is one combined_fields, and a field that is not text (tags, a keyword) is matched by
 * itself with a best_fields multi_match, as every other type matches it (the whole text against
 * the value). phrase_prefix likewise refuses non-text fields; they are matched as a phrase.
 * Config validation (search-config-rules.ts checkTextTypes) refuses the rest with the path.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { DomainConfig, SearchConfig, TextMatchType } from '../config/search-config-schema.ts';
import type { SearchFieldCatalog } from './fields.ts';

type Query = estypes.QueryDslQueryContainer;

export interface RoutedField {
  field: string;
  /** Field boost × domain boost. */
  boost: number;
}

/** A domain's match settings: its own, else the ranking-level ones. */
export interface MatchSettings {
  type: TextMatchType;
  operator: 'or' | 'and';
  minimumShouldMatch: string | undefined;
  tieBreaker: number;
  fuzziness: string | null;
  slop: number | undefined;
}

export function effectiveMatch(
  domain: DomainConfig,
  ranking: SearchConfig['ranking'],
): MatchSettings {
  return {
    type: domain.type,
    operator: domain.operator,
    minimumShouldMatch: domain.minimumShouldMatch ?? ranking.minimumShouldMatch,
    tieBreaker: domain.tieBreaker ?? ranking.tieBreaker,
    fuzziness: domain.fuzziness === undefined ? ranking.fuzziness : domain.fuzziness,
    slop: domain.slop,
  };
}

const TAKES_OPERATOR: ReadonlySet<TextMatchType> = new Set([
  'best_fields',
  'most_fields',
  'cross_fields',
  'bool_prefix',
  'combined_fields',
]);
const TAKES_TIE_BREAKER: ReadonlySet<TextMatchType> = new Set([
  'best_fields',
  'cross_fields',
  'phrase',
  'phrase_prefix',
]);
const TAKES_FUZZINESS: ReadonlySet<TextMatchType> = new Set([
  'best_fields',
  'most_fields',
  'bool_prefix',
]);
const TAKES_SLOP: ReadonlySet<TextMatchType> = new Set(['phrase', 'phrase_prefix']);

/** Field types analysed as text (combined_fields and phrase_prefix accept only these). */
const TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'match_only_text', 'search_as_you_type']);

/**
 * With operator `and` every word is required and ES applies minimum_should_match to no optional
 * clause: a count such as "2" then matches no document at all (checked on ES 8.19), a percentage
 * nothing. So it is sent with `or` only (a domain's own one with `and` is a config error).
 */
function sendsMinimumShouldMatch(
  type: TextMatchType,
  settings: MatchSettings,
): settings is MatchSettings & { minimumShouldMatch: string } {
  return (
    TAKES_OPERATOR.has(type) &&
    settings.operator === 'or' &&
    settings.minimumShouldMatch !== undefined
  );
}

const roundBoost = (value: number): number => Math.round(value * 1e6) / 1e6;

export function fieldWithBoost(field: string, boost: number): string {
  const rounded = roundBoost(boost);
  return rounded === 1 ? field : `${field}^${rounded}`;
}

/** A field the catalog does not know is taken as text with the default analyzer (ES ignores unmapped fields). */
function isText(catalog: SearchFieldCatalog, field: string): boolean {
  const known = catalog.get(field);
  return known === undefined || TEXT_TYPES.has(known.type);
}

function multiMatch(
  text: string,
  fields: RoutedField[],
  type: TextMatchType,
  settings: MatchSettings,
  analyzer: string | undefined,
): Query {
  const query: estypes.QueryDslMultiMatchQuery = {
    query: text,
    fields: fields.map(({ field, boost }) => fieldWithBoost(field, boost)),
    type: type as estypes.QueryDslTextQueryType,
  };
  if (TAKES_OPERATOR.has(type)) {
    if (settings.operator === 'and') query.operator = 'and';
  }
  if (TAKES_TIE_BREAKER.has(type)) query.tie_breaker = settings.tieBreaker;
  if (sendsMinimumShouldMatch(type, settings))
    query.minimum_should_match = settings.minimumShouldMatch;
  if (TAKES_FUZZINESS.has(type) && settings.fuzziness !== null)
    query.fuzziness = settings.fuzziness;
  if (TAKES_SLOP.has(type) && settings.slop !== undefined) query.slop = settings.slop;
  // The domain's analyzer (seed §2.2 "默认分析器") replaces each field's search analyzer.
  if (analyzer !== undefined) query.analyzer = analyzer;
  return { multi_match: query };
}

/** combined_fields per search analyzer, in the order the fields came; non-text fields apart. */
function combinedFields(
  text: string,
  fields: RoutedField[],
  settings: MatchSettings,
  catalog: SearchFieldCatalog,
): Query[] {
  const groups = new Map<string, RoutedField[]>();
  const other: RoutedField[] = [];
  for (const routed of fields) {
    if (!isText(catalog, routed.field)) {
      other.push(routed);
      continue;
    }
    const analyzer = catalog.get(routed.field)?.searchAnalyzer ?? 'standard';
    const list = groups.get(analyzer) ?? [];
    list.push(routed);
    groups.set(analyzer, list);
  }
  const queries: Query[] = [...groups.values()].map((group) => {
    const query: estypes.QueryDslCombinedFieldsQuery = {
      query: text,
      fields: group.map(({ field, boost }) => fieldWithBoost(field, boost)),
    };
    if (settings.operator === 'and') query.operator = 'and';
    if (sendsMinimumShouldMatch('combined_fields', settings))
      query.minimum_should_match = settings.minimumShouldMatch;
    return { combined_fields: query };
  });
  if (other.length > 0) {
    queries.push(
      multiMatch(text, other, 'best_fields', { ...settings, fuzziness: null }, undefined),
    );
  }
  return queries;
}

/**
 * The queries (one or more, to be combined with dis_max) matching `text` on `fields` the way the
 * domain's settings say. A quoted term (`phrase`) is a phrase whatever the type.
 */
export function matchQueries(
  text: string,
  fields: RoutedField[],
  phrase: boolean,
  settings: MatchSettings,
  analyzer: string | undefined,
  catalog: SearchFieldCatalog,
): Query[] {
  if (phrase) return [multiMatch(text, fields, 'phrase', settings, analyzer)];
  switch (settings.type) {
    case 'combined_fields':
      return combinedFields(text, fields, settings, catalog);
    case 'phrase_prefix': {
      const prefixable = fields.filter((f) => isText(catalog, f.field));
      const other = fields.filter((f) => !isText(catalog, f.field));
      const queries: Query[] = [];
      if (prefixable.length > 0)
        queries.push(multiMatch(text, prefixable, 'phrase_prefix', settings, analyzer));
      if (other.length > 0) queries.push(multiMatch(text, other, 'phrase', settings, analyzer));
      return queries;
    }
    default:
      return [multiMatch(text, fields, settings.type, settings, analyzer)];
  }
}
