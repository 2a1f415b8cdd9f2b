/**
 * text_recall (seed §5.2): the boolean AST → ES bool; each term → multi_match over its domain's
 * fields, routed by language (seed §2.2 language_field_mapping):
 *  - fields of the term's own language get the original text;
 *  - fields of another language get the translation into that language when there is one, else
 *    the original text too (product titles in any language carry untranslated brand names and
 *    model numbers, so searching them with the original keeps recall when translation is off);
 *  - fields in no language (tags) get the original text.
 * Field boost × domain boost is the per-field weight. Several texts for one term are combined
 * with dis_max (the best language wins, tie_breaker adds the rest) so a bilingual document does
 * not outscore a monolingual one just for having two languages.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { DomainConfig, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import type { QueryNode, TermNode } from '../query/ast.ts';
import { findTerm, type ParsedQuery } from '../query/query-parser.ts';

type Query = estypes.QueryDslQueryContainer;

/** Collects the text fields a query searched, for highlighting. */
export type FieldCollector = Set<string>;

const roundBoost = (value: number): number => Math.round(value * 1e6) / 1e6;

function fieldWithBoost(field: string, boost: number): string {
  const rounded = roundBoost(boost);
  return rounded === 1 ? field : `${field}^${rounded}`;
}

function languageOfField(domain: DomainConfig): Map<string, string> {
  const byField = new Map<string, string>();
  for (const [language, fields] of Object.entries(domain.languageFieldMapping)) {
    for (const field of fields) if (!byField.has(field)) byField.set(field, language);
  }
  return byField;
}

/** Text to search → the fields (with boosts) that get it, in domain field order. */
export function routeTermText(
  domain: DomainConfig,
  original: string,
  sourceLanguage: string,
  translations: Readonly<Record<string, string>>,
): Map<string, string[]> {
  const fieldLanguage = languageOfField(domain);
  const groups = new Map<string, string[]>();
  for (const { field, boost } of domain.fields) {
    const language = fieldLanguage.get(field);
    const translated =
      language !== undefined && language !== sourceLanguage ? translations[language] : undefined;
    const text = translated ?? original;
    const list = groups.get(text) ?? [];
    list.push(fieldWithBoost(field, boost * domain.boost));
    groups.set(text, list);
  }
  return groups;
}

function multiMatch(
  text: string,
  fields: string[],
  phrase: boolean,
  config: SearchConfig,
  analyzer: string | undefined,
): Query {
  const { tieBreaker, minimumShouldMatch, fuzziness } = config.ranking;
  // The domain's analyzer (seed §2.2 "默认分析器") replaces each field's search analyzer.
  const withAnalyzer = (query: estypes.QueryDslMultiMatchQuery): Query => ({
    multi_match: analyzer === undefined ? query : { ...query, analyzer },
  });
  if (phrase) {
    return withAnalyzer({ query: text, fields, type: 'phrase', tie_breaker: tieBreaker });
  }
  const query: estypes.QueryDslMultiMatchQuery = {
    query: text,
    fields,
    type: 'best_fields',
    tie_breaker: tieBreaker,
    minimum_should_match: minimumShouldMatch,
  };
  if (fuzziness !== null) query.fuzziness = fuzziness;
  return withAnalyzer(query);
}

export function buildTermQuery(
  term: TermNode,
  parsed: ParsedQuery,
  config: SearchConfig,
  collect?: FieldCollector,
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
  const groups = routeTermText(domain, term.text, language, analyzed?.translations ?? {});
  for (const { field } of domain.fields) collect?.add(field);
  const queries = [...groups].map(([text, fields]) =>
    multiMatch(text, fields, term.phrase, config, domain.analyzer),
  );
  if (queries.length === 1) return queries[0]!;
  return { dis_max: { queries, tie_breaker: config.ranking.tieBreaker } };
}

/** The AST as an ES query: AND → must, OR → should (one must match), ANDNOT → must_not, RANK → should. */
export function buildTextRecall(
  node: QueryNode,
  parsed: ParsedQuery,
  config: SearchConfig,
  collect?: FieldCollector,
): Query {
  const recurse = (child: QueryNode): Query => buildTextRecall(child, parsed, config, collect);
  switch (node.kind) {
    case 'term':
      return buildTermQuery(node, parsed, config, collect);
    case 'and':
      return { bool: { must: node.operands.map(recurse) } };
    case 'or':
      return { bool: { should: node.operands.map(recurse), minimum_should_match: 1 } };
    case 'andNot':
      // Exclusions only filter: their text must not feed highlighting.
      return {
        bool: {
          must: [recurse(node.include)],
          must_not: node.exclude.map((child) => buildTextRecall(child, parsed, config)),
        },
      };
    case 'rank':
      return { bool: { must: [recurse(node.base)], should: node.boosts.map(recurse) } };
  }
}
