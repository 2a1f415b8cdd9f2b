/**
 * The playground's operations:
 *   search.run   — the full engine/search (QueryParser → builder → ES → formatter) with the
 *                  working config, a saved revision or an inline one, plus slider overrides;
 *   query.check  — the query box's syntax check: tokens for highlighting, or the parse error with
 *                  its position, plus the detected language and rewrites, without searching.
 */
import { z } from 'zod';
import { ParseModeSchema } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import { tokenize, type Token } from '../../query/lexer.ts';
import { QueryParseError } from '../../query/parse-error.ts';
import { parseQuery } from '../../query/query-parser.ts';
import { printQuery } from '../../query/print.ts';
import { SearchRequestSchema } from '../../search/request-schema.ts';
import { SearchResponseSchema } from '../../search/response-schema.ts';
import { search } from '../../search/searcher.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { ConfigRefSchema, OverridesSchema, resolveConfig } from './config-resolve.ts';
import { missingIndexAsNotFound, sessionOf } from './workbench-session.ts';

export const SearchRunInputSchema = SearchRequestSchema.extend({
  index: IndexNameSchema.optional(),
  /** Absent: the session's working config. */
  config: ConfigRefSchema.optional(),
  /** Slider positions applied on top of the config (config path → value). */
  overrides: OverridesSchema.optional(),
  /**
   * Absent: the config's query.parseMode (default lenient: text that is not an expression is
   * searched as plain text, with a warning). `strict`: such text is a PARSE_ERROR.
   */
  parseMode: ParseModeSchema.optional(),
});

export const ConfigUsedSchema = z.object({ label: z.string(), revisionId: z.string() });

export const SearchRunOutputSchema = SearchResponseSchema.extend({
  index: z.string(),
  config: ConfigUsedSchema,
  /** Wall time in the workbench (parse + ES + format), ms. */
  latencyMs: z.number(),
});

export const searchRun = defineOperation({
  description:
    'Search one tenant with the full query engine and a config (working, saved revision or inline, plus overrides); facets, explain, query info.',
  input: SearchRunInputSchema,
  output: SearchRunOutputSchema,
  handler: async (input, ctx, extras) => {
    const started = performance.now();
    const { index: requestedIndex, config: ref, overrides, parseMode, ...request } = input;
    const index = requestedIndex ?? ctx.defaultIndex;
    const resolved = await resolveConfig(ctx, ref, overrides, index);
    const deps = await sessionOf(ctx).searchDependencies(resolved.config, index, extras.signal);
    const searchDeps = parseMode === undefined ? deps : { ...deps, parseMode };
    const response = await search(
      ctx.esClient(),
      index,
      request,
      resolved.config,
      searchDeps,
    ).catch((err: unknown) => {
      throw missingIndexAsNotFound(err, index);
    });
    return {
      ...response,
      index,
      config: { label: resolved.label, revisionId: resolved.revisionId },
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    };
  },
});

const TokenKindSchema = z.enum([
  'word',
  'phrase',
  'operator',
  'paren',
  'domain',
  'domain-value',
  'unknown-domain',
]);

const QueryCheckSchema = z.object({
  ok: z.boolean(),
  /** Spans for syntax highlighting, in the order they appear (UTF-16 offsets, end exclusive). */
  tokens: z.array(z.object({ kind: TokenKindSchema, start: z.number(), end: z.number() })),
  error: z
    .object({
      message: z.string(),
      kind: z.string(),
      position: z.number(),
      length: z.number(),
      expected: z.array(z.string()),
    })
    .nullable(),
  /** Known when the query parsed: what the engine will search. */
  language: z
    .object({ language: z.string(), confidence: z.number(), method: z.string() })
    .nullable(),
  rewritten: z.string().nullable(),
  rewrites: z.array(z.object({ key: z.string(), value: z.string() })),
  expression: z.string().nullable(),
  translations: z.record(z.string(), z.string()),
  domains: z.array(z.string()),
});
type QueryCheck = z.input<typeof QueryCheckSchema>;
type Span = QueryCheck['tokens'][number];

export function highlightSpans(
  tokens: readonly Token[],
  knownDomains: ReadonlySet<string>,
): Span[] {
  const spans: Span[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'lparen':
      case 'rparen':
        spans.push({ kind: 'paren', ...token.span });
        break;
      case 'operator':
        spans.push({ kind: 'operator', ...token.span });
        break;
      case 'word':
        spans.push({ kind: 'word', ...token.span });
        break;
      case 'phrase':
        spans.push({ kind: 'phrase', ...token.span });
        break;
      case 'domain':
        spans.push({
          kind: knownDomains.has(token.domain) ? 'domain' : 'unknown-domain',
          start: token.domainSpan.start,
          end: token.domainSpan.end + 1,
        });
        spans.push({
          kind: token.phrase ? 'phrase' : 'domain-value',
          start: token.domainSpan.end + 1,
          end: token.span.end,
        });
        break;
    }
  }
  return spans;
}

/** Tokens for highlighting even when the lexer stops (an open quote): the part before it. */
function tokensOf(query: string, domains: ReadonlySet<string>): Span[] {
  try {
    return highlightSpans(tokenize(query), domains);
  } catch (err) {
    if (!(err instanceof QueryParseError)) throw err;
    const before = query.slice(0, err.details.position);
    try {
      return highlightSpans(tokenize(before), domains);
    } catch {
      return [];
    }
  }
}

export const queryCheck = defineOperation({
  description:
    'Check a query expression without searching: highlight tokens, or the parse error with its position and what was expected.',
  input: z
    .object({
      query: z.string().max(10_000),
      config: ConfigRefSchema.optional(),
      overrides: OverridesSchema.optional(),
      index: IndexNameSchema.optional(),
    })
    .strict(),
  output: QueryCheckSchema,
  handler: async (input, ctx, extras): Promise<QueryCheck> => {
    const index = input.index ?? ctx.defaultIndex;
    const { config } = await resolveConfig(ctx, input.config, input.overrides, index);
    const domainNames = config.domains.map((d) => d.name);
    const domains = new Set(domainNames);
    const tokens = tokensOf(input.query, domains);
    const empty = {
      language: null,
      rewritten: null,
      rewrites: [],
      expression: null,
      translations: {},
      domains: domainNames,
    };
    try {
      const deps = await sessionOf(ctx).searchDependencies(
        {
          ...config,
          query: {
            ...config.query,
            textEmbedding: { ...config.query.textEmbedding, enabled: false },
          },
        },
        index,
        extras.signal,
      );
      // The syntax check reports what is wrong with the expression whatever the search mode.
      const parsed = await parseQuery(input.query, config, {
        parseMode: 'strict',
        translator: deps.translator ?? null,
        ...(extras.signal ? { signal: extras.signal } : {}),
      });
      return {
        ok: true,
        tokens,
        error: null,
        language: parsed.ast
          ? {
              language: parsed.language.language,
              confidence: parsed.language.confidence,
              method: parsed.language.method,
            }
          : null,
        rewritten: parsed.rewritten.query,
        rewrites: parsed.rewritten.applied.map(({ key, value }) => ({ key, value })),
        expression: parsed.ast ? printQuery(parsed.ast) : null,
        translations: parsed.translations,
        domains: domainNames,
      };
    } catch (err) {
      if (err instanceof QueryParseError) {
        const d = err.details;
        return {
          ok: false,
          tokens,
          error: {
            message: err.message,
            kind: d.kind,
            position: d.position,
            length: d.length,
            expected: d.expected,
          },
          ...empty,
        };
      }
      if (err instanceof RwbError) throw err;
      throw new RwbError('INTERNAL', `query.check: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
  },
});
