/**
 * text_recall (seed §5.2): the boolean AST → ES bool; each term → its domain's match over the
 * domain's fields, routed by language (seed §2.2 language_field_mapping):
 *  - fields of the term's own language get the original text;
 *  - fields of another language get the translation into that language when there is one, else
 *    the original text too (product titles in any language carry untranslated brand names and
 *    model numbers, so searching them with the original keeps recall when translation is off);
 *  - fields in no language (tags) get the original text.
 * Field boost × domain boost is the per-field weight. Several texts for one term are combined
 * with dis_max (the best language wins, tie_breaker adds the rest) so a bilingual document does
 * not outscore a monolingual one just for having two languages.
 *
 * The domain's `type` picks the ES query (text-match.ts): a multi_match of that type, or
 * `combined_fields` per group of fields sharing one search analyzer. Its proximity boost is a
 * `should` phrase clause beside the term's match (`bool { must: [match], should: [phrase] }`), so
 * it reorders the documents the match found and never adds or removes one, whatever the boolean
 * tree around the term (AND/OR/RANK combine the term's bool as they combined the bare match;
 * ANDNOT's exclusions are built without it).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { DomainConfig, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import type { QueryNode, TermNode } from '../query/ast.ts';
import { findTerm, type ParsedQuery } from '../query/query-parser.ts';
import { defaultSearchFields, type SearchFieldCatalog } from './fields.ts';
import { effectiveMatch, fieldWithBoost, matchQueries, type RoutedField } from './text-match.ts';

type Query = estypes.QueryDslQueryContainer;

/** Collects the text fields a query searched, for highlighting. */
export type FieldCollector = Set<string>;

function languageOfField(domain: DomainConfig): Map<string, string> {
  const byField = new Map<string, string>();
  for (const [language, fields] of Object.entries(domain.languageFieldMapping)) {
    for (const field of fields) if (!byField.has(field)) byField.set(field, language);
  }
  return byField;
}

/** Text to search → the fields (with their boost × the domain boost) that get it, in domain field order. */
export function routeTermFields(
  domain: DomainConfig,
  original: string,
  sourceLanguage: string,
  translations: Readonly<Record<string, string>>,
): Map<string, RoutedField[]> {
  const fieldLanguage = languageOfField(domain);
  const groups = new Map<string, RoutedField[]>();
  for (const { field, boost } of domain.fields) {
    const language = fieldLanguage.get(field);
    const translated =
      language !== undefined && language !== sourceLanguage ? translations[language] : undefined;
    const text = translated ?? original;
    const list = groups.get(text) ?? [];
    list.push({ field, boost: boost * domain.boost });
    groups.set(text, list);
  }
  return groups;
}

/** Text to search → the fields (`field^boost`) that get it, in domain field order. */
export function routeTermText(
  domain: DomainConfig,
  original: string,
  sourceLanguage: string,
  translations: Readonly<Record<string, string>>,
): Map<string, string[]> {
  const routed = routeTermFields(domain, original, sourceLanguage, translations);
  return new Map(
    [...routed].map(([text, fields]) => [
      text,
      fields.map(({ field, boost }) => fieldWithBoost(field, boost)),
    ]),
  );
}

function anyOf(queries: Query[], tieBreaker: number): Query {
  return queries.length === 1 ? queries[0]! : { dis_max: { queries, tie_breaker: tieBreaker } };
}

/**
 * The proximity clause of one term: per routed text, a phrase (with slop) on the proximity fields
 * that got that text. null when proximity is off or the term is a phrase already. A one-word text
 * keeps it too (the "phrase" is then the word, an extra boost of the proximity fields): the
 * exported search template cannot count words, and it must build what the builder builds.
 */
function proximityClause(
  domain: DomainConfig,
  term: TermNode,
  groups: Map<string, RoutedField[]>,
): Query | null {
  const proximity = domain.proximity;
  if (proximity === undefined || !proximity.enabled || term.phrase) return null;
  const chosen = new Set(
    proximity.fields.length > 0 ? proximity.fields : domain.fields.map((f) => f.field),
  );
  const queries: Query[] = [];
  for (const [text, fields] of groups) {
    const names = fields.map((f) => f.field).filter((field) => chosen.has(field));
    if (names.length === 0) continue;
    const phrase: estypes.QueryDslMultiMatchQuery = {
      query: text,
      fields: names,
      type: 'phrase',
      slop: proximity.slop,
    };
    if (domain.analyzer !== undefined) phrase.analyzer = domain.analyzer;
    queries.push({ multi_match: phrase });
  }
  if (queries.length === 0) return null;
  const clause = anyOf(queries, 0);
  const [kind, body] = Object.entries(clause)[0] as [string, object];
  return { [kind]: { ...body, boost: proximity.boost } } as Query;
}

export interface TermQueryOptions {
  /** Index fields: their type and search analyzer (default: mappings/search_products.json). */
  fields?: SearchFieldCatalog;
  /** false: only which documents match matters (ANDNOT exclusions), no proximity clause. */
  scoring?: boolean;
}

export function buildTermQuery(
  term: TermNode,
  parsed: ParsedQuery,
  config: SearchConfig,
  collect?: FieldCollector,
  options: TermQueryOptions = {},
): Query {
  const domain = config.domains.find((candidate) => candidate.name === term.domain);
  if (domain === undefined) {
    throw new RwbError(
      'INVALID_INPUT',
      `Unknown search domain "${term.domain}" (known: ${config.domains.map((d) => d.name).join(', ')})`,
    );
  }
  const analyzed = findTerm(parsed, term);
  const language = analyzed?.language.language ?? parsed.language.language;
  const groups = routeTermFields(domain, term.text, language, analyzed?.translations ?? {});
  for (const { field } of domain.fields) collect?.add(field);
  const settings = effectiveMatch(domain, config.ranking);
  const catalog = options.fields ?? defaultSearchFields();
  const queries = [...groups].flatMap(([text, fields]) =>
    matchQueries(text, fields, term.phrase, settings, domain.analyzer, catalog),
  );
  const match = anyOf(queries, settings.tieBreaker);
  const proximity = options.scoring === false ? null : proximityClause(domain, term, groups);
  if (proximity === null) return match;
  return { bool: { must: [match], should: [proximity] } };
}

/** The AST as an ES query: AND → must, OR → should (one must match), ANDNOT → must_not, RANK → should. */
export function buildTextRecall(
  node: QueryNode,
  parsed: ParsedQuery,
  config: SearchConfig,
  collect?: FieldCollector,
  fields?: SearchFieldCatalog,
): Query {
  const options: TermQueryOptions = fields === undefined ? {} : { fields };
  const recurse = (child: QueryNode): Query =>
    buildTextRecall(child, parsed, config, collect, fields);
  switch (node.kind) {
    case 'term':
      return buildTermQuery(node, parsed, config, collect, options);
    case 'and':
      return { bool: { must: node.operands.map(recurse) } };
    case 'or':
      return { bool: { should: node.operands.map(recurse), minimum_should_match: 1 } };
    case 'andNot':
      // Exclusions only filter: their text must not feed highlighting, nor carry proximity.
      return {
        bool: {
          must: [recurse(node.include)],
          must_not: node.exclude.map((child) => buildExclusion(child, parsed, config, options)),
        },
      };
    case 'rank':
      return { bool: { must: [recurse(node.base)], should: node.boosts.map(recurse) } };
  }
}

function buildExclusion(
  node: QueryNode,
  parsed: ParsedQuery,
  config: SearchConfig,
  options: TermQueryOptions,
): Query {
  const recurse = (child: QueryNode): Query => buildExclusion(child, parsed, config, options);
  switch (node.kind) {
    case 'term':
      return buildTermQuery(node, parsed, config, undefined, { ...options, scoring: false });
    case 'and':
      return { bool: { must: node.operands.map(recurse) } };
    case 'or':
      return { bool: { should: node.operands.map(recurse), minimum_should_match: 1 } };
    case 'andNot':
      return { bool: { must: [recurse(node.include)], must_not: node.exclude.map(recurse) } };
    case 'rank':
      return { bool: { must: [recurse(node.base)], should: node.boosts.map(recurse) } };
  }
}
