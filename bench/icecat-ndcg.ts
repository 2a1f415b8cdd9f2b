/**
 * Relevance levers on the Icecat catalog with its human judgments: one row per lever, the
 * contenders side by side in one run, nDCG@10 over the 81 dev queries with a rating above 0.
 *
 *  - plain Elasticsearch, nothing tuned: a raw `combined_fields` query over title_en^2 + brief_en
 *    (the figure every shipped config lost to) and raw kNN on title_embedding;
 *  - each text match type of the builder (best_fields … bool_prefix), + proximity, + English
 *    analysis (the rwb-analysis plugin's `rwb_english`, a `_reindex` copy of the standard index);
 *  - each fusion method (sum, linear minmax/l2, rrf) with the kNN weight — and for rrf the rank
 *    constant — chosen by 5-fold cross-validation: for each fold the grid value with the best
 *    mean on the other folds is scored on that fold, so every reported per-query value comes from
 *    a config chosen without that query;
 *  - each English embedding model (bench/embedding-models.ts builds one index per model).
 * The best untuned config and the best fused config are tested against the raw combined_fields
 * query with a paired randomization test and a bootstrap CI over the per-query values.
 * Writes bench/results/icecat-ndcg.json and .md.
 *
 *   npx tsx bench/icecat-ndcg.ts [--es URL] [--index rwb_bench_eval_icecat] [--folds 5]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { estypes } from '@elastic/elasticsearch';
import {
  parseSearchConfig,
  type SearchConfig,
  type SearchConfigInput,
} from '../engine/config/search-config.ts';
import { ICECAT_PRODUCT_COUNT } from '../engine/catalog/icecat.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { ratingsByQuery } from '../engine/eval/judgments.ts';
import { evaluateQuery } from '../engine/eval/metrics-summary.ts';
import { runEvaluation } from '../engine/eval/runner.ts';
import { createEvalDependencies } from '../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../engine/eval/runner-embedders.ts';
import { hitSpuIdOf as docIdOf } from '../engine/search/hit-id.ts';
import {
  mean,
  pairedBootstrapCi,
  pairedRandomizationTest,
} from '../engine/eval/stats-significance.ts';
import { assignFolds } from '../engine/eval/tuner/folds.ts';
import { createTextEncoder } from '../engine/embed/index.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureEnglishVariant, ensureIcecatIndex } from './eval-icecat-index.ts';
import { machineInfo } from './search-latency.ts';

const args = benchArgs(process.argv.slice(2));
const FOLDS = Number(args.get('--folds') ?? 5);
const TENANT = 'icecat';
const MODEL = 'bge-small-en-v15-q';
const METRIC = 'ndcg@10';

await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 600_000 });
const englishIndex = await ensureEnglishVariant(client, args.index, 'rwb_english');
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const ratings = ratingsByQuery(querySet);
const allQueries = querySet.queries.map((q) => q.text);
const embedders = createQueryEmbedders();

/** Per query: the metric value, or null when the query cannot be scored (no rating above 0). */
type PerQuery = Map<string, number | null>;

// ---------- configs ----------
const FIELDS = ['title_en^2', 'brief_en'];

function config(
  name: string,
  domain: Record<string, unknown>,
  ranking: Record<string, unknown> = {},
  textEmbedding = false,
  model = MODEL,
): SearchConfig {
  const input: SearchConfigInput = {
    schemaVersion: 2,
    name,
    domains: [
      {
        name: 'default',
        fields: FIELDS,
        languageFieldMapping: { en: ['title_en', 'brief_en'] },
        ...domain,
      } as never,
    ],
    query: {
      supportedLanguages: ['en'],
      defaultLanguage: 'en',
      translation: { provider: 'none' },
      textEmbedding: { enabled: textEmbedding, model },
      knn: { k: 100, numCandidates: 300 },
    },
    ranking: { expression: 'bm25()', ...ranking },
  };
  return parseSearchConfig(input);
}

const PROXIMITY = { slop: 2, boost: 1 };
const BEST_TEXT = { type: 'combined_fields', proximity: PROXIMITY };

// ---------- running ----------
async function scoreConfigs(
  index: string,
  configs: ReadonlyArray<{ id: string; config: SearchConfig }>,
): Promise<PerQuery[]> {
  const dependencies = createEvalDependencies(client, index, { embedders });
  const out = await runEvaluation(client, {
    index,
    tenantId: TENANT,
    querySet,
    configs: configs.map(({ id, config: c }) => ({ revisionId: id, config: c })),
    k: 10,
    metrics: [METRIC],
    dependencies,
    facets: false,
  });
  return out.results.map((result) => {
    const failed = result.failedQueries.length;
    if (failed > 0) throw new Error(`${result.revisionId}: ${failed} queries failed`);
    return new Map(
      result.queries.map((q) => [q.query, q.excluded === null ? (q.scores[METRIC] ?? 0) : null]),
    );
  });
}

/** A raw ES query per text, outside the builder (the plain contenders). */
async function scoreRaw(
  index: string,
  body: (query: string, vector: number[] | null) => estypes.SearchRequest,
  withVector: boolean,
): Promise<PerQuery> {
  const encoder = withVector ? await createTextEncoder({ model: MODEL, threads: 2 }) : null;
  const searches: estypes.MsearchRequestItem[] = [];
  for (const query of allQueries) {
    const vector = encoder ? Array.from((await encoder.encodeQueries([query]))[0]!) : null;
    searches.push({ index }, body(query, vector) as estypes.MsearchMultisearchBody);
  }
  await encoder?.close();
  const { responses } = await client.msearch({ searches });
  const out: PerQuery = new Map();
  responses.forEach((item, i) => {
    if ('error' in item) throw new Error(JSON.stringify(item.error));
    const query = allQueries[i]!;
    const hits = item.hits.hits.map((hit) => docIdOf(hit as never, TENANT));
    const scored = evaluateQuery({ query, hits, ratings: ratings.get(query) ?? new Map() }, [
      METRIC,
    ]);
    out.set(query, scored.excluded === null ? (scored.scores[METRIC] ?? 0) : null);
  });
  return out;
}

const tenantFilter = { term: { tenant_id: TENANT } };
const rawCombinedFields = (query: string): estypes.SearchRequest => ({
  size: 10,
  _source: ['spu_id'],
  query: {
    bool: {
      filter: [tenantFilter],
      must: [{ combined_fields: { query, fields: ['title_en^2', 'brief_en'] } }],
    },
  },
});
const rawKnn = (_query: string, vector: number[] | null): estypes.SearchRequest => ({
  size: 10,
  _source: ['spu_id'],
  knn: {
    field: 'title_embedding',
    query_vector: vector!,
    k: 10,
    num_candidates: 200,
    filter: [tenantFilter],
  },
});

// ---------- cross-validation ----------
const valid = (values: PerQuery): string[] =>
  [...values].filter(([, v]) => v !== null).map(([q]) => q);

function meanOver(values: PerQuery, queries: readonly string[]): number {
  const scored = queries
    .map((q) => values.get(q))
    .filter((v): v is number => typeof v === 'number');
  return scored.length === 0 ? 0 : mean(scored);
}

/**
 * K-fold CV over a grid: each fold's queries get the values of the grid point that is best on
 * the other folds. Returns the held-out per-query values and the choice per fold.
 */
function crossValidate(
  grid: ReadonlyArray<{ label: string; values: PerQuery }>,
  folds = FOLDS,
): { values: PerQuery; chosen: string[] } {
  const out: PerQuery = new Map();
  const chosen: string[] = [];
  for (const fold of assignFolds(allQueries, folds, 0)) {
    let best = grid[0]!;
    for (const point of grid)
      if (meanOver(point.values, fold.train) > meanOver(best.values, fold.train)) best = point;
    chosen.push(best.label);
    for (const query of fold.validation) out.set(query, best.values.get(query) ?? null);
  }
  return { values: out, chosen };
}

// ---------- the rows ----------
interface Row {
  group: string;
  lever: string;
  values: PerQuery;
  cv: boolean;
  chosen?: string[];
  index: string;
}
const rows: Row[] = [];
const log = (line: string) => console.error(line);

log('plain Elasticsearch contenders…');
rows.push({
  group: 'plain ES',
  lever: 'raw combined_fields (title_en^2 + brief_en), standard analysis',
  values: await scoreRaw(args.index, rawCombinedFields, false),
  cv: false,
  index: args.index,
});
rows.push({
  group: 'plain ES',
  lever: `raw kNN on title_embedding (${MODEL})`,
  values: await scoreRaw(args.index, rawKnn, true),
  cv: false,
  index: args.index,
});

log('text match types…');
const types = ['best_fields', 'most_fields', 'cross_fields', 'combined_fields', 'bool_prefix'];
const typeConfigs = types.map((type) => ({
  id: type,
  config: config(type, type === 'best_fields' ? { type, tieBreaker: 0.3 } : { type }),
}));
typeConfigs.push(
  {
    id: 'best_fields-msm75',
    config: config('bf75', { type: 'best_fields', tieBreaker: 0.3 }, { minimumShouldMatch: '75%' }),
  },
  { id: 'combined_fields+proximity', config: config('cfp', BEST_TEXT) },
);
const typeValues = await scoreConfigs(args.index, typeConfigs);
typeConfigs.forEach(({ id }, i) =>
  rows.push({
    group: 'text type (standard analysis)',
    lever:
      id === 'best_fields-msm75' ? 'best_fields, minimum_should_match 75% (schema v1 default)' : id,
    values: typeValues[i]!,
    cv: false,
    index: args.index,
  }),
);

log('English analysis…');
const englishConfigs = [
  { id: 'en-best_fields', config: config('en-bf', { type: 'best_fields', tieBreaker: 0.3 }) },
  { id: 'en-combined_fields', config: config('en-cf', { type: 'combined_fields' }) },
  { id: 'en-combined_fields+proximity', config: config('en-cfp', BEST_TEXT) },
];
const englishValues = await scoreConfigs(englishIndex, englishConfigs);
englishConfigs.forEach(({ id }, i) =>
  rows.push({
    group: 'English analysis (rwb_english)',
    lever: id.replace(/^en-/, ''),
    values: englishValues[i]!,
    cv: false,
    index: englishIndex,
  }),
);
rows.push({
  group: 'English analysis (rwb_english)',
  lever: 'raw combined_fields (title_en^2 + brief_en)',
  values: await scoreRaw(englishIndex, rawCombinedFields, false),
  cv: false,
  index: englishIndex,
});

log('fusion (kNN weight by cross-validation)…');
const FUSIONS: Array<{ name: string; fusion: Record<string, unknown>; weights: number[] }> = [
  {
    name: 'sum (ES adds raw scores)',
    fusion: { method: 'sum' },
    weights: [0.5, 1, 2, 4, 8, 16, 32],
  },
  {
    name: 'linear minmax arithmetic',
    fusion: { method: 'linear' },
    weights: [0.02, 0.05, 0.1, 0.25, 0.5, 1],
  },
  {
    name: 'linear l2 arithmetic',
    fusion: { method: 'linear', normalizer: 'l2' },
    weights: [0.02, 0.05, 0.1, 0.25, 0.5, 1],
  },
  {
    name: 'rrf k=10',
    fusion: { method: 'rrf', rankConstant: 10 },
    weights: [0.02, 0.05, 0.1, 0.25, 0.5, 1],
  },
  {
    name: 'rrf k=60',
    fusion: { method: 'rrf', rankConstant: 60 },
    weights: [0.02, 0.05, 0.1, 0.25, 0.5, 1],
  },
];
for (const [group, index] of [
  ['fusion, standard analysis', args.index],
  ['fusion, English analysis', englishIndex],
] as const) {
  const grid = FUSIONS.flatMap(({ name, fusion, weights }) =>
    weights.map((w) => ({
      name,
      label: `w=${w}`,
      id: `${name}-${w}`.replace(/[^A-Za-z0-9_.-]+/g, '_'),
      config: config(
        `${name} ${w}`,
        BEST_TEXT,
        { expression: `bm25() + ${w}*text_embedding_relevance()`, fusion },
        true,
      ),
    })),
  );
  const values = await scoreConfigs(index, grid);
  for (const { name } of FUSIONS) {
    const points = grid
      .map((point, i) => ({ ...point, values: values[i]! }))
      .filter((point) => point.name === name);
    const cv = crossValidate(points);
    rows.push({
      group,
      lever: `combined_fields+proximity + kNN, ${name}`,
      values: cv.values,
      cv: true,
      chosen: cv.chosen,
      index,
    });
  }
  // rrf with both the constant and the weight chosen by CV.
  const rrf = grid
    .map((point, i) => ({ ...point, label: `${point.name} ${point.label}`, values: values[i]! }))
    .filter((point) => point.name.startsWith('rrf'));
  const cv = crossValidate(rrf);
  rows.push({
    group,
    lever: 'combined_fields+proximity + kNN, rrf (k and weight by CV)',
    values: cv.values,
    cv: true,
    chosen: cv.chosen,
    index,
  });
}

log('embedding models…');
const MODELS = [
  'bge-small-en-v15-q',
  'bge-small-en-v15',
  'e5-small-v2-q',
  'all-minilm-l6-v2',
  'all-minilm-l6-v2-q',
];
for (const model of MODELS) {
  const index = `rwb_bench_models_${model}`;
  const products = (await client.indices.exists({ index }))
    ? (await client.count({ index, query: { term: { tenant_id: TENANT } } })).count
    : 0;
  if (products !== ICECAT_PRODUCT_COUNT) {
    log(
      `  ${model}: index ${index} holds ${products} of ${ICECAT_PRODUCT_COUNT} products — run bench/embedding-models.ts first; row left out`,
    );
    continue;
  }
  const knnOnly = config(
    `knn-${model}`,
    BEST_TEXT,
    { expression: 'text_embedding_relevance()' },
    true,
    model,
  );
  const grid = [0.05, 0.1, 0.25, 0.5, 1].map((w) => ({
    label: `w=${w}`,
    id: `${model}-${w}`,
    config: config(
      `${model} ${w}`,
      BEST_TEXT,
      { expression: `bm25() + ${w}*text_embedding_relevance()`, fusion: { method: 'linear' } },
      true,
      model,
    ),
  }));
  const mapping = await client.indices.getMapping({ index });
  const meta = Object.values(mapping)[0]!.mappings._meta as {
    analysis?: { en?: { family?: string } };
  };
  const group = `embedding model (${meta.analysis?.en?.family ?? 'unknown'} analysis)`;
  const values = await scoreConfigs(index, [{ id: `${model}-knn`, config: knnOnly }, ...grid]);
  rows.push({
    group,
    lever: `${model}: kNN only`,
    values: values[0]!,
    cv: false,
    index,
  });
  const cv = crossValidate(grid.map((point, i) => ({ ...point, values: values[i + 1]! })));
  rows.push({
    group,
    lever: `${model}: combined_fields+proximity + kNN, linear minmax`,
    values: cv.values,
    cv: true,
    chosen: cv.chosen,
    index,
  });
}
await embedders.close();

// ---------- significance against the plain combined_fields query ----------
const baseline = rows[0]!;
const judged = valid(baseline.values);
function versus(row: Row) {
  const a = judged.map((q) => row.values.get(q) ?? 0);
  const b = judged.map((q) => baseline.values.get(q) ?? 0);
  // Differences are (second − first): this row minus the plain query.
  const test = pairedRandomizationTest(b, a, { iterations: 20_000, seed: 1 });
  const ci = pairedBootstrapCi(b, a, { iterations: 10_000, seed: 1 });
  return { meanDifference: test.meanDifference, pValue: test.pValue, ci: [ci.lower, ci.upper] };
}
const table = rows.map((row) => ({
  group: row.group,
  lever: row.lever,
  index: row.index,
  ndcg10: meanOver(row.values, judged),
  crossValidated: row.cv,
  ...(row.chosen && { chosenPerFold: row.chosen }),
  vsPlainCombinedFields: row === baseline ? null : versus(row),
}));
const untuned = table.filter(
  (r) => !r.crossValidated && !r.group.startsWith('plain ES') && !r.lever.startsWith('raw'),
);
const bestUntuned = untuned.reduce((a, b) => (b.ndcg10 > a.ndcg10 ? b : a));
const fused = table.filter((r) => r.crossValidated);
const bestFused = fused.reduce((a, b) => (b.ndcg10 > a.ndcg10 ? b : a));
await client.close();

const result = {
  benchmark: 'icecat-ndcg',
  date: new Date().toISOString(),
  machine: machineInfo(),
  es: args.es,
  indexes: { standard: args.index, english: englishIndex },
  queries: querySet.queries.length,
  judgedQueries: judged.length,
  folds: FOLDS,
  table,
  acceptance: {
    plainCombinedFields: table[0]!.ndcg10,
    bestUntuned: {
      lever: `${bestUntuned.group}: ${bestUntuned.lever}`,
      ndcg10: bestUntuned.ndcg10,
      ...bestUntuned.vsPlainCombinedFields,
    },
    bestFusedCrossValidated: {
      lever: `${bestFused.group}: ${bestFused.lever}`,
      ndcg10: bestFused.ndcg10,
      ...bestFused.vsPlainCombinedFields,
    },
  },
};
const f = (v: number) => v.toFixed(4);
const p = (v: number) => (v < 0.0001 ? '<0.0001' : v.toFixed(4));
const md = [
  `Icecat, ${result.queries} judged queries; nDCG@10 means over the ${judged.length} with a rating above 0. ` +
    `CV rows: ${FOLDS}-fold cross-validated (per query, the value of the grid point chosen on the other folds). ` +
    'Δ and p: paired against the raw combined_fields query (randomization test, 20,000 sign flips; 95% bootstrap CI).',
  '',
  '| lever | nDCG@10 | CV | Δ vs plain combined_fields | 95% CI | p |',
  '| --- | ---: | :---: | ---: | --- | ---: |',
  ...table.map((r) => {
    const v = r.vsPlainCombinedFields;
    return `| ${r.group}: ${r.lever} | ${f(r.ndcg10)} | ${r.crossValidated ? 'yes' : ''} | ${v ? f(v.meanDifference) : '—'} | ${v ? `[${f(v.ci[0]!)}, ${f(v.ci[1]!)}]` : ''} | ${v ? p(v.pValue) : ''} |`;
  }),
  '',
  `Best config without tuning: ${result.acceptance.bestUntuned.lever} — ${f(bestUntuned.ndcg10)} vs ${f(table[0]!.ndcg10)} (p ${p(bestUntuned.vsPlainCombinedFields!.pValue)}).`,
  `Best fused hybrid (cross-validated): ${result.acceptance.bestFusedCrossValidated.lever} — ${f(bestFused.ndcg10)} (p ${p(bestFused.vsPlainCombinedFields!.pValue)}).`,
].join('\n');
console.log(md);
const dir = path.join(repoRoot(), 'bench', 'results');
await fs.writeFile(path.join(dir, 'icecat-ndcg.json'), `${JSON.stringify(result, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'icecat-ndcg.md'), `${md}\n`);
console.log(`wrote ${path.join('bench', 'results', 'icecat-ndcg.json')} and .md`);
