/**
 * "Why is this product missing" (issue 10 §3): for a query, a tenant, a config and one product,
 * where the config ranks it, which clause keeps it out, how its explained score compares with the
 * k-th hit's, and which lever would bring it in. Everything comes from Elasticsearch:
 *  - the rank: the config's own request (prepareSearch → planSearch, the page's kNN k unchanged)
 *    asked for `depth` ids; for engine-side fusion the sub-searches of the page plan, fused by
 *    fuseRankings over their whole lists (a product outside every window is not ranked at all);
 *  - the explain: the same request with `explain: true` and a post_filter on the ids of the top k
 *    and the product (a post_filter does not change scores or the kNN top k), read by scoreBreakdown;
 *  - the clauses: one count per filter, the text recall alone, the text kNN deep (its rank by
 *    similarity under the filters) and the cosine of the product's own vector;
 *  - the text: `_analyze` + `_termvectors` per field (explain-missing-text.ts);
 *  - the levers: explain-missing-levers.ts.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { docId } from '../catalog/types.ts';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { parseSearchConfig } from '../config/search-config-parse.ts';
import { esErrorToRwb } from '../es/client.ts';
import { setAtPath } from '../eval/tuner/config-path.ts';
import { RwbError } from '../errors.ts';
import {
  cosine,
  englishFamily,
  exists,
  explainIds,
  fusedBreakdownOf,
  KNN_LIMIT,
  rankDeep,
  rankIn,
} from './explain-missing-es.ts';
import {
  ExplainMissingRequestSchema,
  type ClauseFailure,
  type ExplainMissing,
  type Lever,
  type SourceRank,
} from './explain-missing-schema.ts';
import {
  compareParts,
  fusedBoostLevers,
  fusionWeightLevers,
  operatorLevers,
  sumBoostLevers,
  weakFieldsMessage,
} from './explain-missing-levers.ts';
import {
  stemmingAnalyzer,
  stemmingHints,
  termMatches,
  textFailure,
  unsearchedFieldMatches,
} from './explain-missing-text.ts';
import { defaultSearchFields } from './fields.ts';
import { buildFilterClause, tenantFilter } from './filters.ts';
import { fuseRankings, type FusedHit } from './fusion.ts';
import { requestError } from './request.ts';
import type { ScoreBreakdown } from './response-schema.ts';
import { prepareSearch, type SearchDependencies } from './searcher.ts';
import { buildTextRecall } from './text-recall.ts';
import { describeFilter, diagnosisSummary, filterValues } from './explain-missing-report.ts';

type Query = estypes.QueryDslQueryContainer;
type Source = Record<string, unknown>;

/** Config levers re-searched to verify them (one deep search each), and which paths can be. */
const MAX_VERIFIED = 4;
const VERIFIABLE =
  /^(?:domains\.[^.]+\.(?:fields\..+\.boost|boost|operator|minimumShouldMatch)|ranking\.|query\.knn\.k$)/;

/** How far down the lexical list a fused config's boost levers explain (one request). */
const MAX_EXPLAINED = 200;

function titleOf(source: Source): string | null {
  for (const field of ['title_en', 'title_zh']) {
    const value = source[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

function textsOf(source: Source, field: string): string[] {
  const value = source[field];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The diagnosis of `input.spuId` for `input.query` under `config` (see the module comment). Bad
 * input → INVALID_INPUT naming the field; a product not in the tenant → NOT_FOUND; ES trouble →
 * ES_ERROR / ES_UNREACHABLE.
 */
export async function explainMissing(
  client: Client,
  index: string,
  input: unknown,
  config: SearchConfig,
  deps: SearchDependencies = {},
): Promise<ExplainMissing> {
  const parsedInput = ExplainMissingRequestSchema.safeParse(input);
  if (!parsedInput.success) throw requestError(parsedInput.error, input);
  const request = parsedInput.data;
  const { tenantId, spuId, k, depth } = request;
  const id = docId(tenantId, spuId);
  const catalog = deps.fields ?? defaultSearchFields();
  const url = deps.url ?? 'the cluster';
  try {
    const got = await client.get<Source>({ index, id }).catch((err: unknown) => {
      if (
        (err as { meta?: { statusCode?: number }; body?: { found?: boolean } }).meta?.statusCode ===
        404
      ) {
        const body = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
        if (body?.error?.type === 'index_not_found_exception') throw err;
        return null;
      }
      throw err;
    });
    if (got === null || !got.found || got._source === undefined)
      throw new RwbError(
        'NOT_FOUND',
        `Product ${spuId} of tenant ${tenantId} is not in index ${index}`,
        {
          spuId,
          tenantId,
          index,
        },
      );
    const source = got._source;
    // The page the product should be on: k results, as the metric's search sends them.
    const pageInput = {
      tenantId,
      query: request.query,
      size: k,
      from: 0,
      facets: [],
      highlight: false,
      explain: false,
      ...(request.filters === undefined ? {} : { filters: request.filters }),
      ...(request.language === undefined ? {} : { language: request.language }),
    };
    const pageOf = (base: SearchConfig): SearchConfig => ({
      ...base,
      result: { ...base.result, maxSize: Math.max(base.result.maxSize, k) },
    });
    const prepared = await prepareSearch(pageInput, pageOf(config), deps);
    const { plan, parsed } = prepared;
    const fusion = plan.fusion;
    const warnings = [...parsed.warnings, ...plan.warnings];

    const deep = await rankDeep(client, index, prepared, depth, url);
    const position = deep.ranking.findIndex((hit) => hit.key === id);
    const rank = position < 0 ? null : position + 1;
    const kthHit = deep.ranking[k - 1] ?? null;
    const topIds = deep.ranking.slice(0, k).map((hit) => hit.key);
    const explained = await explainIds(client, index, prepared, [...new Set([...topIds, id])]);

    // Clause by clause.
    const failures: ClauseFailure[] = [];
    const idFilter: Query = { ids: { values: [id] } };
    const tenant = tenantFilter(tenantId);
    const clauses = plan.resolved.filters.map((filter) => ({
      filter,
      clause: buildFilterClause(filter),
    }));
    for (const { filter, clause } of clauses) {
      if (await exists(client, index, { bool: { filter: [tenant, idFilter, clause.query] } }))
        continue;
      failures.push({
        clause: 'filter',
        filter: clause.facetKey,
        wants: describeFilter(filter),
        has: filterValues(source, filter),
      });
    }
    const textRecall =
      parsed.ast === null ? null : buildTextRecall(parsed.ast, parsed, config, undefined, catalog);
    const textMatched =
      textRecall === null ||
      (await exists(client, index, { bool: { filter: [tenant, idFilter], must: [textRecall] } }));
    const text =
      parsed.ast === null
        ? { matches: [], fieldTexts: new Map<string, string[]>() }
        : await termMatches(client, index, id, parsed, config, catalog);

    // The text kNN: similarity of the product's vector, its rank under the filters, the clause's k.
    let knn: ExplainMissing['knn'] = null;
    if (plan.knn.text && parsed.vector !== undefined) {
      const field = config.query.knn.field;
      const clause =
        fusion === null
          ? (prepared.request.knn as estypes.KnnSearch[] | undefined)?.[0]
          : (
              fusion.searches.find((s) => s.source === 'text_knn')?.request.knn as
                estypes.KnnSearch[] | undefined
            )?.[0];
      const knnK = clause?.k ?? config.query.knn.k;
      const vector = Array.from(parsed.vector);
      const own = source[field];
      const similarity = Array.isArray(own) ? cosine(vector, own as number[]) : null;
      const deepK = Math.min(KNN_LIMIT, depth);
      const knnRank = await rankIn(
        client,
        index,
        {
          knn: {
            field,
            query_vector: vector,
            k: deepK,
            num_candidates: Math.min(KNN_LIMIT, Math.max(deepK, config.query.knn.numCandidates)),
            filter: [tenant, ...clauses.map(({ clause: c }) => c.query)],
          },
        },
        id,
        deepK,
      );
      knn = {
        field,
        cosine: similarity === null ? null : Math.round(similarity * 1e6) / 1e6,
        rank: knnRank,
        k: knnK,
      };
      if (knnRank === null || knnRank > knnK) failures.push({ clause: 'knn', knnRank, k: knnK });
    }
    if (!textMatched) failures.push(textFailure(text.matches));

    const filtersPass = !failures.some((f) => f.clause === 'filter');
    const knnFinds = knn !== null && knn.rank !== null && knn.rank <= knn.k;
    const matchedByRequest = filtersPass && (textMatched || knnFinds);
    const status: ExplainMissing['status'] =
      rank !== null
        ? rank <= k
          ? 'in_top_k'
          : 'beyond_k'
        : matchedByRequest
          ? 'beyond_depth'
          : 'not_matched';

    // Explain: the product against the k-th hit.
    let fusedByKey = new Map<string, FusedHit>();
    if (fusion !== null && deep.lists !== null)
      fusedByKey = new Map(fuseRankings(deep.lists, fusion.settings).map((hit) => [hit.key, hit]));
    const breakdownOf = (key: string): ScoreBreakdown | null =>
      fusion === null
        ? (explained.get(key) ?? null)
        : fusedBreakdownOf(fusedByKey.get(key), fusion, explained.get(key));
    const targetBreakdown = breakdownOf(id);
    const kthBreakdown = kthHit === null ? null : breakdownOf(kthHit.key);

    const sources: SourceRank[] = [];
    if (fusion !== null && deep.lists !== null) {
      const target = fusedByKey.get(id);
      const kth = kthHit === null ? undefined : fusedByKey.get(kthHit.key);
      deep.lists.forEach((list, i) => {
        const part = (hit: FusedHit | undefined) =>
          hit?.parts.find((p) => p.source === list.source);
        sources.push({
          source: list.source,
          weight: list.weight,
          targetRank: part(target)?.rank ?? null,
          targetContribution: part(target)?.contribution ?? 0,
          kthRank: part(kth)?.rank ?? null,
          kthContribution: part(kth)?.contribution ?? 0,
          window: fusion.searches[i]!.request.size ?? fusion.window,
        });
      });
    }

    // Levers.
    const levers: Lever[] = [];
    for (const failure of failures) {
      if (failure.clause === 'filter')
        levers.push({
          kind: 'filter',
          message: `filtered out by ${failure.wants} (the product has ${failure.has.length === 0 ? 'no value' : failure.has.join(', ')}): drop or widen that filter`,
          path: `filters.${failure.filter}`,
          current: failure.wants,
          suggested: null,
          exact: true,
          verified: null,
        });
    }
    const englishAnalysis = await englishFamily(client, index);
    const missesWords = text.matches.some((m) => m.fields.some((f) => f.missing.length > 0));
    let stemming: ExplainMissing['stemming'] = [];
    if (
      status !== 'in_top_k' &&
      missesWords &&
      englishAnalysis !== 'english' &&
      englishAnalysis !== 'rwb_english'
    ) {
      const stemmer = await stemmingAnalyzer(client);
      if (stemmer !== null) {
        const values = new Map(
          [...text.fieldTexts.keys()].map((field) => [field, textsOf(source, field)]),
        );
        stemming = await stemmingHints(client, stemmer, text.matches, values);
        for (const hint of stemming)
          levers.push({
            kind: 'stemming',
            message: `stemming: query \`${hint.query}\`, ${hint.field} \`${hint.product}\` — the index analyzes English with ${englishAnalysis ?? 'a non-stemming analyzer'}; English stemming (${stemmer}) matches them`,
            path: null,
            current: englishAnalysis,
            suggested: stemmer,
            exact: true,
            verified: null,
          });
      }
    }
    const otherFields =
      status === 'in_top_k' || parsed.defaultText === ''
        ? []
        : await unsearchedFieldMatches(client, index, id, parsed.defaultText, config, catalog);
    if (!textMatched) {
      for (const other of otherFields)
        levers.push({
          kind: 'unsearched_field',
          message: `the terms ${other.matched.map((t) => `\`${t}\``).join(', ')} are in ${other.field}, which no domain searches: add it to a domain`,
          path: text.matches[0] === undefined ? null : `domains.${text.matches[0].domain}.fields`,
          current: null,
          suggested: other.field,
          exact: true,
          verified: null,
        });
      levers.push(...operatorLevers(text.matches));
    }
    if (knn !== null && knn.rank !== null && knn.rank > knn.k && !textMatched)
      levers.push({
        kind: 'knn_k',
        message: `its kNN rank is ${knn.rank} but query.knn.k is ${knn.k}: with k ≥ ${knn.rank} the kNN clause finds it`,
        path: 'query.knn.k',
        current: knn.k,
        suggested: knn.rank,
        exact: true,
        verified: null,
      });
    if (status === 'beyond_k' || status === 'beyond_depth') {
      if (fusion === null && targetBreakdown !== null) {
        const top = topIds
          .map((key) => explained.get(key))
          .filter((b): b is ScoreBreakdown => b !== undefined);
        levers.push(...sumBoostLevers(targetBreakdown, top, config, plan.weights));
      } else if (fusion !== null && deep.lists !== null) {
        levers.push(...fusionWeightLevers(deep.lists, fusion.settings, id, k));
        const lexicalList = deep.lists.find((list) => list.source === 'lexical');
        const lexicalAt = lexicalList?.hits.findIndex((hit) => hit.key === id) ?? -1;
        if (lexicalList !== undefined && lexicalAt >= 0 && lexicalAt < MAX_EXPLAINED) {
          const above = lexicalList.hits.slice(0, lexicalAt + 1).map((hit) => hit.key);
          const lexicalExplains = await explainIds(client, index, prepared, above);
          levers.push(
            ...fusedBoostLevers(
              deep.lists,
              fusion.settings,
              id,
              k,
              lexicalExplains,
              config,
              plan.weights,
            ),
          );
        }
        if (!fusedByKey.has(id) && textMatched) {
          const lexicalRank = await rankIn(client, index, fusion.searches[0]!.request, id, depth);
          if (lexicalRank !== null)
            levers.push({
              kind: 'window',
              message: `lexical rank ${lexicalRank} is outside the fusion window (${fusion.window}): ranking.fusion.rankWindowSize ≥ ${lexicalRank} lets the fusion see it`,
              path: 'ranking.fusion.rankWindowSize',
              current: fusion.window,
              suggested: lexicalRank,
              exact: true,
              verified: null,
            });
        }
      }
    }
    // Re-search with each config lever applied (the first few): its rank then, not an estimate.
    const verifiable = levers
      .filter(
        (lever) => lever.path !== null && lever.suggested !== null && VERIFIABLE.test(lever.path),
      )
      .slice(0, MAX_VERIFIED);
    for (const lever of verifiable) {
      let changed: SearchConfig;
      try {
        changed = parseSearchConfig(setAtPath(config, lever.path!, lever.suggested));
      } catch (err) {
        if (err instanceof RwbError && err.code === 'INVALID_CONFIG') continue;
        throw err;
      }
      const again = await rankDeep(
        client,
        index,
        await prepareSearch(pageInput, pageOf(changed), deps),
        depth,
        url,
      );
      const at = again.ranking.findIndex((hit) => hit.key === id);
      lever.verified = { rank: at < 0 ? null : at + 1 };
    }
    if (levers.length === 0 && status !== 'in_top_k')
      levers.push({
        kind: 'none',
        message: 'no single lever found from the explain',
        path: null,
        current: null,
        suggested: null,
        exact: false,
        verified: null,
      });

    const result: ExplainMissing = {
      query: request.query,
      tenantId,
      spuId,
      title: titleOf(source),
      k,
      depth,
      fusion: fusion === null ? 'sum' : fusion.settings.method,
      status,
      rank,
      score: rank !== null ? deep.ranking[rank - 1]!.score : (targetBreakdown?.total ?? null),
      matched: deep.matched,
      kth:
        kthHit === null
          ? null
          : {
              spuId: kthHit.key.slice(tenantId.length + 1),
              rank: k,
              score: kthHit.score,
              title: null,
            },
      failures,
      text: text.matches,
      otherFields,
      stemming,
      englishAnalysis,
      knn,
      explain: {
        target: targetBreakdown,
        kth: kthBreakdown,
        parts: compareParts(targetBreakdown, kthBreakdown),
      },
      sources,
      levers,
      summary: [],
      warnings,
    };
    if (kthHit !== null) {
      const kthDoc = await client.get<Source>({
        index,
        id: kthHit.key,
        _source_includes: ['title_en', 'title_zh'],
      });
      result.kth!.title = kthDoc._source === undefined ? null : titleOf(kthDoc._source);
    }
    const weak = targetBreakdown === null ? null : weakFieldsMessage(targetBreakdown, config);
    result.summary = diagnosisSummary(result, weak, textMatched);
    return result;
  } catch (err) {
    if (err instanceof RwbError) throw err;
    throw esErrorToRwb(err, url, `explaining ${spuId} in index ${index}`);
  }
}
