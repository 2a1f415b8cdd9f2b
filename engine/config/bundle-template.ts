/**
 * The ES search template of a bundle: the request the query builder makes for a default-domain
 * text query, with the query text, its translations, the tenant, from/size and the query vector
 * as mustache parameters. Production services that do not run `rwb serve` can store it
 * (`PUT _scripts/<id>`) and call `_search/template` with the same relevance logic.
 *
 * How it is made: the real builder (planSearch) runs on a query made of sentinel words whose
 * language is unknown and which has a "translation" into every language the default domain maps,
 * so every language's fields get their own placeholder; the serialized body then has each
 * sentinel replaced by its mustache tag. So the template cannot drift from the builder.
 *
 * Needs lang-mustache on the cluster: every regular ES distribution has it, the embedded
 * integ-test-zip runtime does not (it lacks the module), so `_search/template` fails there —
 * `rwb serve` does not use the template at all. `renderSearchTemplate` renders the subset of
 * mustache used here, for previews and tests.
 */
import { ownValue } from '../own.ts';
import type { estypes } from '@elastic/elasticsearch';
import { DEFAULT_DOMAIN, type TermNode } from '../query/ast.ts';
import type { ParsedQuery } from '../query/query-parser.ts';
import { planSearch } from '../search/build-request.ts';
import type { SearchFieldCatalog } from '../search/fields.ts';
import { resolveSearchRequest } from '../search/request.ts';
import { RwbError } from '../errors.ts';
import type { BundleSearchTemplate } from './bundle-schema.ts';
import type { SearchConfig } from './search-config-schema.ts';

const QUERY_SENTINEL = 'rwbtplquery';
const TENANT_SENTINEL = 'rwbtpltenant';
const FROM_SENTINEL = 'rwbtplfrom';
const SIZE_SENTINEL = 'rwbtplsize';
/** A value no real vector has; its JSON spelling is unique in the body. */
const VECTOR_SENTINEL = 0.123456789012345;

const languageSentinel = (language: string): string => `${QUERY_SENTINEL}${language}`;
const languageParam = (language: string): string => `query_${language}`;

export interface SearchTemplateOptions {
  /** Stored-script id (default: `rwb-<config name>`). */
  id?: string;
  /** Index fields (default: mappings/search_products.json). */
  fields?: SearchFieldCatalog;
}

function sentinelQuery(languages: string[], withVector: boolean): ParsedQuery {
  const ast: TermNode = {
    kind: 'term',
    domain: DEFAULT_DOMAIN,
    text: QUERY_SENTINEL,
    phrase: false,
    span: { start: 0, end: QUERY_SENTINEL.length },
  };
  const unknown = { language: 'und', confidence: 0, method: 'default' as const };
  const translations = Object.fromEntries(languages.map((l) => [l, languageSentinel(l)]));
  const parsed: ParsedQuery = {
    original: QUERY_SENTINEL,
    rewritten: { query: QUERY_SENTINEL, applied: [] },
    ast,
    language: unknown,
    terms: [
      {
        domain: DEFAULT_DOMAIN,
        text: QUERY_SENTINEL,
        phrase: false,
        negated: false,
        language: unknown,
        translations,
      },
    ],
    defaultText: QUERY_SENTINEL,
    translations,
    warnings: [],
    timings: { rewriteMs: 0, parseMs: 0, detectMs: 0, translateMs: 0, embedMs: 0, totalMs: 0 },
  };
  if (withVector) parsed.vector = Float32Array.of(VECTOR_SENTINEL);
  return parsed;
}

function replaceAll(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

/** The default-domain languages with fields of their own (these get a `query_<lang>` param). */
export function templateLanguages(config: SearchConfig): string[] {
  const domain = config.domains.find((d) => d.name === DEFAULT_DOMAIN);
  return Object.keys(domain?.languageFieldMapping ?? {}).sort();
}

export function buildSearchTemplate(
  config: SearchConfig,
  options: SearchTemplateOptions = {},
): BundleSearchTemplate {
  const languages = templateLanguages(config);
  const withVector = config.query.textEmbedding.enabled;
  const resolved = resolveSearchRequest(
    { tenantId: TENANT_SENTINEL, query: QUERY_SENTINEL },
    config,
    options.fields === undefined ? {} : { fields: options.fields },
  );
  const { request } = planSearch(sentinelQuery(languages, withVector), resolved, config, {
    ...(options.fields === undefined ? {} : { fields: options.fields }),
  });
  const body: Record<string, unknown> = { ...(request as Record<string, unknown>) };
  body.from = FROM_SENTINEL;
  body.size = SIZE_SENTINEL;

  // The sentinel vector is a float32, so its JSON is the widened double: find it in the body.
  const vectorJson = JSON.stringify(Array.from(Float32Array.of(VECTOR_SENTINEL)));
  let source = JSON.stringify(body);
  source = replaceAll(source, `"${FROM_SENTINEL}"`, '{{from}}');
  source = replaceAll(source, `"${SIZE_SENTINEL}"`, '{{size}}');
  source = replaceAll(source, `"${TENANT_SENTINEL}"`, '"{{tenant_id}}"');
  if (withVector) source = replaceAll(source, vectorJson, '{{#toJson}}query_vector{{/toJson}}');
  // Longest first: every language sentinel starts with the query sentinel.
  for (const language of languages) {
    const param = languageParam(language);
    source = replaceAll(
      source,
      `"${languageSentinel(language)}"`,
      `"{{#${param}}}{{${param}}}{{/${param}}}{{^${param}}}{{query_string}}{{/${param}}}"`,
    );
  }
  source = replaceAll(source, `"${QUERY_SENTINEL}"`, '"{{query_string}}"');
  if (/rwbtpl/.test(source)) {
    throw new RwbError(
      'INTERNAL',
      'The search template still contains a placeholder sentinel; the builder output changed shape',
    );
  }

  const params: BundleSearchTemplate['params'] = {
    query_string: { required: true, description: 'The default-domain query text as typed' },
    tenant_id: {
      required: true,
      description: 'Tenant whose products are searched (always filtered)',
    },
    from: { required: true, description: 'Offset of the first hit (0 for the first page)' },
    size: {
      required: true,
      description: `Hits per page (config default ${config.result.defaultSize})`,
    },
  };
  for (const language of languages) {
    params[languageParam(language)] = {
      required: false,
      description: `The query translated into ${language}; absent: query_string searches the ${language} fields`,
    };
  }
  if (withVector) {
    params.query_vector = {
      required: true,
      description: `Query vector of query_string from ${config.query.textEmbedding.model} (with the model's query prefix, if it has one)`,
    };
  }
  const exampleParams: Record<string, unknown> = {
    query_string: 'bluetooth headphones',
    tenant_id: '1',
    from: 0,
    size: config.result.defaultSize,
  };
  return {
    id: options.id ?? `rwb-${config.name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}`,
    lang: 'mustache',
    source,
    params,
    exampleParams,
    notes: [
      'Covers a default-domain text query with the config defaults: default facets, default sort, highlighting, ranking functions and kNN.',
      'Not covered: filters, domain syntax (title:…), boolean operators, rewrites, sort options, explain — use the search API (rwb serve) for those.',
      `kNN k is fixed at ${resolvedKnnK(request)} (from + size beyond it leaves kNN hits out of later pages).`,
      'Needs the lang-mustache module (every regular Elasticsearch distribution; not the embedded integ-test runtime).',
      ...(config.ranking.fusion.method === 'sum'
        ? []
        : [
            `ranking.fusion is "${config.ranking.fusion.method}": rwb serve runs the lexical search and each kNN search apart and fuses them in the engine, which a search template cannot express. This template adds the raw scores instead (the "sum" method) and so ranks differently; to rank as rwb serve does, follow docs/serve.md "Hybrid fusion for other services".`,
          ]),
    ],
  };
}

function resolvedKnnK(request: estypes.SearchRequest): number | string {
  const knn = request.knn;
  const first = Array.isArray(knn) ? knn[0] : knn;
  return first?.k ?? 'n/a (no kNN)';
}

function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return escapeJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeJsonString(JSON.stringify(value));
}

const truthy = (value: unknown): boolean =>
  !(
    value === undefined ||
    value === null ||
    value === false ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );

/**
 * Renders the mustache subset bundle templates use, the way ES does with a JSON template:
 * `{{name}}` JSON-escaped, `{{#toJson}}name{{/toJson}}`, and non-nested `{{#name}}…{{/name}}` /
 * `{{^name}}…{{/name}}` sections. Returns the rendered text (JSON.parse it to get the body).
 */
export function renderSearchTemplate(
  source: string,
  params: Readonly<Record<string, unknown>>,
): string {
  let out = source.replace(
    /\{\{#toJson\}\}([a-z_][a-z0-9_]*)\{\{\/toJson\}\}/g,
    (_, name: string) => JSON.stringify(ownValue(params, name) ?? null),
  );
  out = out.replace(
    /\{\{([#^])([a-z_][a-z0-9_]*)\}\}([\s\S]*?)\{\{\/\2\}\}/g,
    (_, kind: string, name: string, inner: string) =>
      (kind === '#') === truthy(ownValue(params, name)) ? inner : '',
  );
  return out.replace(/\{\{([a-z_][a-z0-9_]*)\}\}/g, (_, name: string) =>
    renderValue(ownValue(params, name)),
  );
}
