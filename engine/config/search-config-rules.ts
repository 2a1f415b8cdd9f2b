/**
 * Rules that span several parts of a SearchConfig and so cannot live in one zod object: names
 * that must be unique, languages that must be supported, rewrite values that must parse.
 */
import { DEFAULT_DOMAIN } from '../query/ast.ts';
import { parseBooleanExpression } from '../query/boolean-parser.ts';
import { QueryParseError } from '../query/parse-error.ts';
import { normalizeRewriteKey } from '../query/rewrite.ts';
// ranking-expression.ts imports only errors.ts, so this adds no import cycle with engine/search.
import { parseRankingExpression, RankingExpressionError } from '../search/ranking-expression.ts';
import { formatPath, type ConfigIssue, type IssuePath } from './config-issues.ts';
import { KNOWN_ANALYZERS, type SearchConfig } from './search-config-schema.ts';

class IssueList {
  readonly issues: ConfigIssue[] = [];
  add(path: IssuePath, message: string): void {
    this.issues.push({ path: formatPath(path), message });
  }
}

function checkDomains(config: SearchConfig, out: IssueList): void {
  const supported = new Set(config.query.supportedLanguages);
  const seen = new Map<string, number>();
  config.domains.forEach((domain, index) => {
    const first = seen.get(domain.name);
    if (first !== undefined)
      out.add(['domains', index, 'name'], `"${domain.name}" is already used by domains[${first}]`);
    else seen.set(domain.name, index);

    if (domain.analyzer !== undefined && !KNOWN_ANALYZERS.has(domain.analyzer)) {
      out.add(
        ['domains', index, 'analyzer'],
        `"${domain.analyzer}" is not an analyzer the index has: use a built-in (standard, cjk, english, …) or an installed plugin's (ik_smart, smartcn, hanlp_standard), or remove it to use each field's own analyzer`,
      );
    }

    const fieldIndex = new Map<string, number>();
    domain.fields.forEach((field, fieldPosition) => {
      if (fieldIndex.has(field.field)) {
        out.add(
          ['domains', index, 'fields', fieldPosition, 'field'],
          `"${field.field}" is listed twice`,
        );
      }
      fieldIndex.set(field.field, fieldPosition);
    });

    for (const [language, fields] of Object.entries(domain.languageFieldMapping)) {
      const path = ['domains', index, 'languageFieldMapping', language];
      if (!supported.has(language)) {
        out.add(
          path,
          `maps language "${language}", which is not in query.supportedLanguages (${[...supported].join(', ')})`,
        );
      }
      fields.forEach((field, position) => {
        if (!fieldIndex.has(field)) {
          out.add(
            [...path, position],
            `"${field}" is not one of this domain's fields; add it to domains[${index}].fields`,
          );
        }
      });
    }
  });
  if (!seen.has(DEFAULT_DOMAIN)) {
    out.add(
      ['domains'],
      `must include a domain named "${DEFAULT_DOMAIN}" (bare query words search it)`,
    );
  }
}

function checkLanguages(config: SearchConfig, out: IssueList): void {
  const { supportedLanguages, defaultLanguage, translation } = config.query;
  const supported = new Set(supportedLanguages);
  supportedLanguages.forEach((language, index) => {
    if (supportedLanguages.indexOf(language) !== index)
      out.add(['query', 'supportedLanguages', index], `"${language}" is listed twice`);
  });
  if (!supported.has(defaultLanguage)) {
    out.add(
      ['query', 'defaultLanguage'],
      `"${defaultLanguage}" must be one of query.supportedLanguages (${supportedLanguages.join(', ')})`,
    );
  }
  translation.targetLanguages.forEach((language, index) => {
    if (!supported.has(language)) {
      out.add(
        ['query', 'translation', 'targetLanguages', index],
        `"${language}" is not in query.supportedLanguages`,
      );
    }
  });
  translation.glossary.forEach((entry, index) => {
    const languages = Object.keys(entry);
    if (languages.length < 2)
      out.add(
        ['query', 'translation', 'glossary', index],
        'needs the term in at least two languages',
      );
    for (const language of languages) {
      if (!supported.has(language)) {
        out.add(
          ['query', 'translation', 'glossary', index, language],
          `"${language}" is not in query.supportedLanguages`,
        );
      }
    }
  });
}

function checkRewriteDictionary(config: SearchConfig, out: IssueList): void {
  const knownDomains = config.domains.map((domain) => domain.name);
  const normalizedKeys = new Map<string, string>();
  for (const [key, value] of Object.entries(config.query.rewrite.dictionary)) {
    const path = ['query', 'rewrite', 'dictionary', key];
    const normalized = normalizeRewriteKey(key);
    if (normalized === '') {
      out.add(path, 'has an empty key');
      continue;
    }
    const clash = normalizedKeys.get(normalized);
    if (clash !== undefined)
      out.add(path, `is the same key as "${clash}" (keys ignore case and spacing)`);
    normalizedKeys.set(normalized, key);
    try {
      parseBooleanExpression(value, { knownDomains, maxLength: 10_000 });
    } catch (err) {
      const detail = err instanceof QueryParseError ? err.message : String(err);
      out.add(path, `is not a valid query expression: ${detail}`);
    }
  }
}

/** The expression must parse now, not at the first search after an export reaches production. */
function checkRankingExpression(config: SearchConfig, out: IssueList): void {
  try {
    parseRankingExpression(config.ranking.expression, {
      popularityField: config.ranking.popularityField,
    });
  } catch (err) {
    if (!(err instanceof RankingExpressionError)) throw err;
    out.add(['ranking', 'expression'], err.message.replace(/^ranking\.expression:\s*/, ''));
  }
}

function checkLimits(config: SearchConfig, out: IssueList): void {
  const { knn, imageKnn, textEmbedding } = config.query;
  if (knn.numCandidates < knn.k)
    out.add(['query', 'knn', 'numCandidates'], `must be >= query.knn.k (${knn.k})`);
  if (imageKnn.numCandidates < imageKnn.k) {
    out.add(['query', 'imageKnn', 'numCandidates'], `must be >= query.imageKnn.k (${imageKnn.k})`);
  }
  if (textEmbedding.enabled && textEmbedding.model.trim() === '') {
    out.add(
      ['query', 'textEmbedding', 'model'],
      'must name a model when text embedding is enabled',
    );
  }
  if (imageKnn.enabled && imageKnn.model.trim() === '') {
    out.add(['query', 'imageKnn', 'model'], 'must name a model when image kNN is enabled');
  }
  if (config.result.maxSize < config.result.defaultSize) {
    out.add(['result', 'maxSize'], `must be >= result.defaultSize (${config.result.defaultSize})`);
  }
  const sortIds = new Set<string>();
  config.sort.options.forEach((option, index) => {
    if (sortIds.has(option.id))
      out.add(['sort', 'options', index, 'id'], `"${option.id}" is already used`);
    sortIds.add(option.id);
  });
}

const PHRASE_TYPES: ReadonlySet<string> = new Set(['phrase', 'phrase_prefix']);
/** Types ES refuses `fuzziness` for (combined_fields has no such parameter). */
const NO_FUZZINESS: ReadonlySet<string> = new Set([
  'phrase',
  'phrase_prefix',
  'cross_fields',
  'combined_fields',
]);

/** Types whose fields' scores add up: ES's tie_breaker for them is 1, any other value makes them best_fields. */
const SUMMING_TYPES: ReadonlySet<string> = new Set(['most_fields', 'bool_prefix']);

/** Per-domain match settings ES would refuse, or that would silently do nothing. */
function checkTextTypes(config: SearchConfig, out: IssueList): void {
  config.domains.forEach((domain, index) => {
    const at = (key: string): IssuePath => ['domains', index, key];
    const { type } = domain;
    if (domain.fuzziness != null && NO_FUZZINESS.has(type))
      out.add(
        at('fuzziness'),
        `Elasticsearch allows no fuzziness with type "${type}"; remove it or pick best_fields, most_fields or bool_prefix`,
      );
    if (domain.slop !== undefined && !PHRASE_TYPES.has(type))
      out.add(
        at('slop'),
        `applies to type "phrase" or "phrase_prefix" only (this domain is "${type}"); for word proximity use domains[${index}].proximity`,
      );
    if (domain.tieBreaker !== undefined && type === 'combined_fields')
      out.add(
        at('tieBreaker'),
        'combined_fields scores the fields as one (BM25F) and takes no tie_breaker; remove it',
      );
    if (domain.tieBreaker !== undefined && SUMMING_TYPES.has(type))
      out.add(
        at('tieBreaker'),
        `"${type}" sums every field's score (its tie_breaker is 1); a tieBreaker would make it best_fields: remove it, or pick best_fields with this tieBreaker`,
      );
    if (domain.analyzer !== undefined && type === 'combined_fields')
      out.add(
        at('analyzer'),
        "combined_fields takes no analyzer: it uses the fields' own, which must be the same for every field it combines; remove it",
      );
    if (
      domain.operator === 'and' &&
      domain.minimumShouldMatch !== undefined &&
      !PHRASE_TYPES.has(type)
    )
      out.add(
        at('minimumShouldMatch'),
        'has no effect with operator "and": every word is required already (Elasticsearch would apply it to no optional word, and a count such as "2" then matches no document); remove it or set operator "or"',
      );
    if (PHRASE_TYPES.has(type)) {
      if (domain.operator !== 'or')
        out.add(
          at('operator'),
          `has no effect with type "${type}" (every word must match, in order); remove it`,
        );
      if (domain.minimumShouldMatch !== undefined)
        out.add(at('minimumShouldMatch'), `has no effect with type "${type}"; remove it`);
    }
    if (type === 'combined_fields') {
      domain.fields.forEach((field, position) => {
        if (field.boost * domain.boost < 1)
          out.add(
            ['domains', index, 'fields', position, 'boost'],
            `combined_fields needs field boosts ≥ 1 (field boost × domain boost is ${field.boost * domain.boost}); raise it or pick another type`,
          );
      });
    }
    const proximity = domain.proximity;
    if (proximity !== undefined) {
      const own = new Set(domain.fields.map((field) => field.field));
      proximity.fields.forEach((field, position) => {
        if (!own.has(field))
          out.add(
            ['domains', index, 'proximity', 'fields', position],
            `"${field}" is not one of this domain's fields; add it to domains[${index}].fields`,
          );
      });
    }
  });
  const { fuzziness } = config.ranking;
  if (fuzziness !== null) {
    config.domains.forEach((domain, index) => {
      if (domain.fuzziness === undefined && NO_FUZZINESS.has(domain.type))
        out.add(
          ['domains', index, 'fuzziness'],
          `ranking.fuzziness (${fuzziness}) cannot apply to type "${domain.type}"; set this domain's fuzziness to null`,
        );
    });
  }
}

function checkFusion(config: SearchConfig, out: IssueList): void {
  const { fusion } = config.ranking;
  if (
    fusion.method === 'linear' &&
    fusion.normalizer === 'zscore' &&
    fusion.combination !== 'arithmetic'
  )
    out.add(
      ['ranking', 'fusion', 'combination'],
      `"${fusion.combination}" needs positive scores and zscore gives negative ones; use "arithmetic" or another normalizer`,
    );
}

export function checkSearchConfigRules(config: SearchConfig): ConfigIssue[] {
  const out = new IssueList();
  checkDomains(config, out);
  checkLanguages(config, out);
  checkRewriteDictionary(config, out);
  checkRankingExpression(config, out);
  checkLimits(config, out);
  checkTextTypes(config, out);
  checkFusion(config, out);
  return out.issues;
}
