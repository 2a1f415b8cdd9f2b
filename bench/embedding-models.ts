/**
 * Which text embedding model to pick for an English catalog: for each model of the registry that
 * reads English, on the Icecat catalog and its dev judgments,
 *  - embed throughput: texts/s encoding Icecat titles as documents (2 threads, the encoder's
 *    defaults, cold: no vector cache);
 *  - kNN only: nDCG@10 of the title_embedding kNN search alone (ranking `text_embedding_relevance()`);
 *  - fused: BM25 (the text part of examples/configs/icecat-multifield.json) + kNN, per fusion
 *    method, its weight chosen from a small grid by k-fold cross-validation over the queries and
 *    the held-out nDCG@10 reported (see embedding-models-cv.ts), with a paired randomization test
 *    against BM25 alone.
 * Models with a query instruction that is optional (BGE's) are also measured without it.
 * Means are over the queries with at least one rating above 0 (81 of 100), as icecat-ndcg.ts does.
 *
 * Each model gets its own index, `rwb_bench_models_<model>`, built by the real ingest (MySQL →
 * the model's document vectors → ES; the mapping's dims come from the model, the document prefix
 * from the encoder) unless it already holds every Icecat product with that model's vectors.
 * Vectors are cached per model under RWB_HOME, so a re-run embeds nothing. Models run one after
 * another (a 2-core machine). Writes bench/results/embedding-models.json and .md.
 *
 *   npx tsx bench/embedding-models.ts [--es URL] [--database rwb_bench_eval] [--folds 5]
 *     [--models id,id] [--fusion sum[,linear,rrf]] [--throughput-n 2000]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import {
  ICECAT_PRODUCT_COUNT,
  ICECAT_TENANT,
  loadIcecatIntoMysql,
} from '../engine/catalog/icecat.ts';
import { mysqlConnectionFromEnv } from '../engine/config/connections.ts';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { parseSearchConfig } from '../engine/config/search-config-parse.ts';
import type { SearchConfig } from '../engine/config/search-config-schema.ts';
import {
  type OnnxTextEncoder,
  TEXT_MODELS,
  createTextEncoder,
  getModelSpec,
} from '../engine/embed/index.ts';
import { BGE_EN_INSTRUCTION } from '../engine/embed/registry.ts';
import { createEsClient } from '../engine/es/client.ts';
import { detectAnalysis } from '../engine/es/analysis.ts';
import { getIndexInfo } from '../engine/es/index.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import type { QuerySet } from '../engine/eval/judgments.ts';
import { runEvaluation } from '../engine/eval/runner.ts';
import { createEvalDependencies } from '../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../engine/eval/runner-embedders.ts';
import { pairedRandomizationTest } from '../engine/eval/stats-significance.ts';
import { runIngest } from '../engine/ingest/pipeline.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { crossValidateGrid } from './embedding-models-cv.ts';
import { benchArgs } from './eval-icecat-index.ts';

const METRIC = 'ndcg@10';
const ENGLISH_MODELS = TEXT_MODELS.filter((m) => m.language === 'en').map((m) => m.id);

// ---------------------------------------------------------------------------------------------
// Fusion methods. A fused row per method: add an entry (its grid of ranking settings) and name it
// with --fusion. Grids are listed simplest first: cross-validation breaks ties towards the front.
// ---------------------------------------------------------------------------------------------
interface GridPoint {
  label: string;
  ranking: { expression: string; fusion?: Record<string, unknown> };
}

const FUSIONS: Record<string, GridPoint[]> = {
  // ES adds w·similarity to the BM25 score in one request; w = 0 is BM25 alone (kNN may not help).
  sum: [0, 1, 2, 4, 8, 16, 32, 64].map((w) => ({
    label: `w=${w}`,
    ranking: {
      expression: w === 0 ? 'bm25()' : `bm25() + ${w}*text_embedding_relevance()`,
      fusion: { method: 'sum' },
    },
  })),
  // Engine-side fusion (ranking.fusion): min-max normalised scores, weighted arithmetic mean.
  linear: [0.05, 0.1, 0.25, 0.5, 1, 2, 4].map((w) => ({
    label: `w=${w}`,
    ranking: {
      expression: `bm25() + ${w}*text_embedding_relevance()`,
      fusion: { method: 'linear', normalizer: 'minmax', combination: 'arithmetic' },
    },
  })),
  // Reciprocal rank fusion; the kNN list's weight and the rank constant.
  rrf: [10, 30, 60].flatMap((rankConstant) =>
    [0.25, 0.5, 1, 2].map((w) => ({
      label: `k=${rankConstant},w=${w}`,
      ranking: {
        expression: `bm25() + ${w}*text_embedding_relevance()`,
        fusion: { method: 'rrf', rankConstant },
      },
    })),
  ),
};

const args = benchArgs(process.argv.slice(2));
const folds = Number(args.get('--folds') ?? 5);
const throughputN = Number(args.get('--throughput-n') ?? 2000);
const models = (args.get('--models') ?? ENGLISH_MODELS.join(',')).split(',').filter(Boolean);
const fusionMethods = (args.get('--fusion') ?? 'sum').split(',').filter(Boolean);
for (const id of models) {
  if (getModelSpec(id).language !== 'en') throw new Error(`${id} is not an English model`);
}
for (const method of fusionMethods) {
  if (!Object.hasOwn(FUSIONS, method))
    throw new Error(`--fusion ${method}: known methods are ${Object.keys(FUSIONS).join(', ')}`);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const indexFor = (model: string) => `rwb_bench_models_${model}`;

// ---------------------------------------------------------------------------------------------
async function loadTitles(n: number): Promise<string[]> {
  const dir = icecatDir();
  const files = (await fs.readdir(dir)).filter((f) => /^products-\d+\.json$/.test(f)).sort();
  const titles: string[] = [];
  for (const f of files) {
    const products = JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as Array<{
      title?: string;
    }>;
    for (const p of products) {
      if (typeof p.title === 'string' && p.title.trim()) titles.push(p.title.trim());
      if (titles.length >= n) return titles;
    }
  }
  return titles;
}

interface Throughput {
  texts: number;
  seconds: number;
  textsPerSecond: number;
  setup: string;
}

/**
 * Cold encoding (no cache) of the same titles by every model, as documents, 2 threads each. The
 * models take turns on slices of 256 titles (rotating who goes first), so a change in the load of
 * a shared machine falls on all of them alike and the ratios stay meaningful.
 */
async function measureThroughput(
  ids: string[],
  texts: string[],
): Promise<{ byModel: Map<string, Throughput>; loadAverage: number[] }> {
  const encoders: OnnxTextEncoder[] = [];
  try {
    for (const model of ids) {
      const encoder = await createTextEncoder({ model, threads: 2, log: () => {} });
      encoders.push(encoder);
      await encoder.encodeDocuments(texts.slice(0, 32));
    }
    const seconds = new Array<number>(ids.length).fill(0);
    const loadAverage = [os.loadavg()[0]!];
    for (let slice = 0, from = 0; from < texts.length; slice++, from += 256) {
      const chunk = texts.slice(from, from + 256);
      for (let turn = 0; turn < ids.length; turn++) {
        const m = (slice + turn) % ids.length;
        const started = performance.now();
        await encoders[m]!.encodeDocuments(chunk);
        seconds[m]! += (performance.now() - started) / 1000;
      }
      loadAverage.push(os.loadavg()[0]!);
    }
    const byModel = new Map(
      ids.map((model, m) => {
        const e = encoders[m]!;
        return [
          model,
          {
            texts: texts.length,
            seconds: Number(seconds[m]!.toFixed(2)),
            textsPerSecond: Number((texts.length / seconds[m]!).toFixed(1)),
            setup: `${e.workers} workers × ${e.threadsPerWorker} thread, batch ${e.batchSize}`,
          },
        ];
      }),
    );
    return { byModel, loadAverage: loadAverage.map((l) => Number(l.toFixed(2))) };
  } finally {
    await Promise.all(encoders.map((e) => e.close()));
  }
}

// ---------------------------------------------------------------------------------------------
interface IndexFacts {
  index: string;
  docs: number;
  dims: number | null;
  textModel: string | null;
  englishAnalysis: string | null;
  built: boolean;
  buildSeconds: number | null;
}

async function icecatDocs(client: Client, index: string): Promise<number> {
  if (!(await client.indices.exists({ index }))) return 0;
  const { count } = await client.count({ index, query: { term: { tenant_id: ICECAT_TENANT } } });
  return count;
}

async function describeIndex(
  client: Client,
  index: string,
  built: boolean,
  seconds: number | null,
) {
  const info = await getIndexInfo(client, index, args.es);
  const meta = info.meta as {
    text_model?: string;
    analysis?: { en?: { family?: string } };
  } | null;
  return {
    index,
    docs: await icecatDocs(client, index),
    dims: info.textDims,
    textModel: meta?.text_model ?? null,
    englishAnalysis: meta?.analysis?.en?.family ?? null,
    built,
    buildSeconds: seconds,
  } satisfies IndexFacts;
}

/**
 * The model's Icecat index, ingested from MySQL with that model unless it is there already with
 * the English analysis a fresh ingest chooses now: every model's index must share one lexical
 * side, or the fused rows would compare analyzers instead of models.
 */
async function ensureModelIndex(
  client: Client,
  model: string,
  englishAnalysis: string,
): Promise<IndexFacts> {
  const index = indexFor(model);
  const current = await describeIndex(client, index, false, null);
  if (
    current.docs === ICECAT_PRODUCT_COUNT &&
    current.textModel === model &&
    current.englishAnalysis === englishAnalysis
  )
    return current;
  log(
    `${index}: ${current.docs} products (${current.textModel ?? 'no model'}, English analysis ` +
      `${current.englishAnalysis ?? 'none'}); ingesting with ${model} and ${englishAnalysis}…`,
  );
  const conn = { ...mysqlConnectionFromEnv(), database: args.database };
  const ingest = () =>
    runIngest({
      source: { kind: 'mysql', connection: conn },
      tenantIds: [ICECAT_TENANT],
      es: { url: args.es },
      index,
      recreateIndex: true,
      resume: false,
      embedding: { model, threads: 2 },
    });
  const started = performance.now();
  let report = await ingest();
  if (report.indexed < ICECAT_PRODUCT_COUNT) {
    log(`only ${report.indexed} products in MySQL ${args.database}; loading Icecat and retrying`);
    await loadIcecatIntoMysql(conn, { tenantId: ICECAT_TENANT });
    report = await ingest();
  }
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  log(`${index}: ingested ${report.indexed} products (${report.failed} failed) in ${seconds} s`);
  return describeIndex(client, index, true, seconds);
}

// ---------------------------------------------------------------------------------------------
function withRanking(
  base: SearchConfig,
  model: string,
  ranking: GridPoint['ranking'],
): SearchConfig {
  const raw = structuredClone(base) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a plain JSON copy, re-validated below
  raw.query.textEmbedding = { ...raw.query.textEmbedding, enabled: true, model };
  raw.query.knn = { ...raw.query.knn, k: 50, numCandidates: 200 };
  raw.ranking = {
    ...raw.ranking,
    expression: ranking.expression,
    fusion: { ...(ranking.fusion ?? { method: 'sum' }) },
  };
  raw.name = `${base.name}-${model}`;
  return parseSearchConfig(raw, { source: `bench config (${model}, ${ranking.expression})` });
}

/** Per config: nDCG@10 of each query in `queries` (queries with a positive rating). */
async function scoreConfigs(
  client: Client,
  index: string,
  querySet: QuerySet,
  configs: SearchConfig[],
  queryPrefix: string | undefined,
): Promise<{ queries: string[]; scores: number[][] }> {
  const embedders = createQueryEmbedders({
    threads: 2,
    log: () => {},
    ...(queryPrefix !== undefined && {
      createEncoder: (o) => createTextEncoder({ ...o, queryPrefix }),
    }),
  });
  try {
    const out = await runEvaluation(client, {
      index,
      tenantId: ICECAT_TENANT,
      querySet,
      configs: configs.map((config, i) => ({ revisionId: `c${i}`, config })),
      k: 10,
      metrics: [METRIC],
      dependencies: createEvalDependencies(client, index, { embedders }),
      facets: false,
    });
    const first = out.results[0]!;
    const queries = first.queries.filter((q) => q.excluded === null).map((q) => q.query);
    const scores = out.results.map((result) => {
      if (result.failedQueries.length > 0) {
        const f = result.failedQueries[0]!;
        throw new Error(`${result.failedQueries.length} queries failed (${f.query}: ${f.message})`);
      }
      const byQuery = new Map(result.queries.map((q) => [q.query, q.scores[METRIC]]));
      return queries.map((q) => byQuery.get(q) ?? 0);
    });
    return { queries, scores };
  } finally {
    await embedders.close();
  }
}

const meanOf = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;

interface FusedRow {
  method: string;
  heldOut: number;
  chosen: string[];
  bestInSample: { label: string; ndcg: number };
  vsBm25: { difference: number; pValue: number };
}

interface VariantResult {
  queryPrefix: string;
  knn: number;
  knnScores: number[];
  fused: FusedRow[];
}

async function evaluateVariant(
  client: Client,
  index: string,
  querySet: QuerySet,
  base: SearchConfig,
  model: string,
  queryPrefix: string | undefined,
  bm25: { queries: string[]; scores: number[] },
): Promise<VariantResult> {
  const knnOnly: GridPoint = {
    label: 'knn',
    ranking: { expression: 'text_embedding_relevance()' },
  };
  const points = [knnOnly, ...fusionMethods.flatMap((m) => FUSIONS[m]!)];
  const { queries, scores } = await scoreConfigs(
    client,
    index,
    querySet,
    points.map((p) => withRanking(base, model, p.ranking)),
    queryPrefix,
  );
  if (queries.join('\n') !== bm25.queries.join('\n'))
    throw new Error('the kNN and BM25 runs scored different queries');
  let offset = 1;
  const fused = fusionMethods.map((method) => {
    const grid = FUSIONS[method]!;
    const gridScores = scores.slice(offset, offset + grid.length);
    offset += grid.length;
    const cv = crossValidateGrid(gridScores, queries, folds, 0);
    // pairedRandomizationTest(a, b) measures b − a: fused minus BM25 alone.
    const test = pairedRandomizationTest(bm25.scores, cv.heldOut, { seed: 0 });
    return {
      method,
      heldOut: cv.heldOutMean,
      chosen: cv.chosen.map((i) => grid[i]!.label),
      bestInSample: { label: grid[cv.bestInSample.index]!.label, ndcg: cv.bestInSample.mean },
      vsBm25: { difference: test.meanDifference, pValue: test.pValue },
    };
  });
  return {
    queryPrefix: queryPrefix ?? getModelSpec(model).queryPrefix,
    knn: meanOf(scores[0]!),
    knnScores: scores[0]!,
    fused,
  };
}

// ---------------------------------------------------------------------------------------------
const client = createEsClient({ url: args.es, requestTimeoutMs: 120_000 });
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const multifield = await loadSearchConfig(
  path.join(repoRoot(), 'examples', 'configs', 'icecat-multifield.json'),
);
const englishAnalysis = (await detectAnalysis(client, {}, args.es)).en.family;
const titles = await loadTitles(throughputN);
log(
  `${models.length} models, ${titles.length} titles for throughput, ${folds}-fold CV, fusion: ${fusionMethods.join(', ')}, English analysis: ${englishAnalysis}`,
);
log(`throughput: ${models.length} models taking turns on ${titles.length} titles…`);
const throughput = await measureThroughput(models, titles);
for (const [model, t] of throughput.byModel) log(`  ${model}: ${t.textsPerSecond} texts/s`);
log(`  1-min load average during the runs: ${throughput.loadAverage.join(', ')}`);

interface ModelResult {
  model: string;
  dims: number;
  weights: 'int8' | 'fp32';
  pooling: string;
  documentPrefix: string;
  throughput: Throughput;
  index: IndexFacts;
  variants: Array<Omit<VariantResult, 'knnScores'>>;
  /** BGE: kNN nDCG@10 with the instruction minus without it, paired over the same queries. */
  instructionEffect?: { difference: number; pValue: number };
}

const results: ModelResult[] = [];
let bm25Row: { index: string; ndcg: number; queries: number } | null = null;
let bm25Scores: { queries: string[]; scores: number[] } | null = null;
for (const model of models) {
  const spec = getModelSpec(model);
  log(`— ${model}`);
  const index = await ensureModelIndex(client, model, englishAnalysis);
  if (
    index.docs !== ICECAT_PRODUCT_COUNT ||
    index.dims !== spec.dims ||
    index.englishAnalysis !== englishAnalysis
  )
    throw new Error(
      `${index.index}: ${index.docs} docs, ${index.dims} dims, ${index.englishAnalysis} — expected ${ICECAT_PRODUCT_COUNT}, ${spec.dims}, ${englishAnalysis}`,
    );
  // BM25 alone, on this index: the same analysis gives the same scores on every model's index
  // (checked), and the paired tests compare each model's fused run with BM25 on its own index.
  const bm25 = await scoreConfigs(client, index.index, querySet, [multifield], undefined);
  bm25Scores = { queries: bm25.queries, scores: bm25.scores[0]! };
  const bm25Mean = meanOf(bm25Scores.scores);
  log(`  BM25 (multi-field) alone: ${bm25Mean.toFixed(4)} over ${bm25.queries.length} queries`);
  if (bm25Row === null) {
    bm25Row = { index: index.index, ndcg: bm25Mean, queries: bm25.queries.length };
  } else if (Math.abs(bm25Row.ndcg - bm25Mean) > 1e-9) {
    throw new Error(
      `BM25 alone differs between ${bm25Row.index} (${bm25Row.ndcg}) and ${index.index} (${bm25Mean})`,
    );
  }
  // BGE's English instruction is optional for short queries: measured both ways.
  const prefixes: Array<string | undefined> = spec.id.startsWith('bge-small-en')
    ? [BGE_EN_INSTRUCTION, '']
    : [undefined];
  const variants: VariantResult[] = [];
  for (const prefix of prefixes) {
    const v = await evaluateVariant(
      client,
      index.index,
      querySet,
      multifield,
      model,
      prefix,
      bm25Scores,
    );
    log(
      `  query prefix ${JSON.stringify(v.queryPrefix)}: kNN ${v.knn.toFixed(4)}; ` +
        v.fused
          .map((f) => `${f.method} ${f.heldOut.toFixed(4)} (${f.chosen.join(' ')})`)
          .join('; '),
    );
    variants.push(v);
  }
  const instructionEffect =
    variants.length === 2
      ? (({ meanDifference, pValue }) => ({ difference: meanDifference, pValue }))(
          // b − a: with the instruction minus without it.
          pairedRandomizationTest(variants[1]!.knnScores, variants[0]!.knnScores, { seed: 0 }),
        )
      : undefined;
  if (instructionEffect)
    log(
      `  instruction on kNN: ${instructionEffect.difference.toFixed(4)} (p ${instructionEffect.pValue.toFixed(3)})`,
    );
  results.push({
    model,
    ...(instructionEffect && { instructionEffect }),
    dims: spec.dims,
    weights: spec.quantized ? 'int8' : 'fp32',
    pooling: `${spec.pooling}${spec.normalize ? ' + L2' : ''}`,
    documentPrefix: spec.documentPrefix,
    throughput: throughput.byModel.get(model)!,
    index,
    variants: variants.map(({ knnScores: _, ...rest }) => rest),
  });
}
await client.close();

// ---------------------------------------------------------------------------------------------
const f4 = (v: number) => v.toFixed(4);
const prefixLabel = (p: string) =>
  p === '' ? 'none' : p === BGE_EN_INSTRUCTION ? 'BGE instruction' : `"${p.trim()}"`;
const fusedHeader = fusionMethods.map((m) => `BM25 + kNN, ${m} (held-out)`);
const lines = [
  `Icecat, ${querySet.queries.length} judged dev queries (means over the ${bm25Row!.queries} with a rating above 0), nDCG@10; ` +
    `English analysis \`${englishAnalysis}\` on every index. Fused rows: weight chosen by ${folds}-fold cross-validation, ` +
    `held-out nDCG@10 (the values chosen in parentheses); p: paired randomization test against BM25 alone. ` +
    `texts/s: ${titles.length} titles as documents, 2 threads, the models taking turns.`,
  '',
  `| model | weights | pooling | query prefix | doc prefix | texts/s | kNN only | ${fusedHeader.join(' | ')} |`,
  `| --- | --- | --- | --- | --- | ---: | ---: | ${fusedHeader.map(() => '---:').join(' | ')} |`,
  `| BM25 alone (icecat-multifield) | | | | | | | ${fusionMethods.map(() => f4(bm25Row!.ndcg)).join(' | ')} |`,
];
for (const r of results) {
  for (const v of r.variants) {
    const fused = v.fused.map(
      (f) =>
        `${f4(f.heldOut)} (${[...new Set(f.chosen)].join('/')}; p ${f.vsBm25.pValue.toFixed(3)})`,
    );
    lines.push(
      `| ${r.model} | ${r.weights} | ${r.pooling} | ${prefixLabel(v.queryPrefix)} | ${prefixLabel(r.documentPrefix)} | ${r.throughput.textsPerSecond} | ${f4(v.knn)} | ${fused.join(' | ')} |`,
    );
  }
}
const md = lines.join('\n');
console.log(md);

const result = {
  benchmark: 'embedding-models',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, node: process.version },
  es: args.es,
  queries: querySet.queries.length,
  validQueries: bm25Row!.queries,
  metric: METRIC,
  folds,
  fusion: Object.fromEntries(fusionMethods.map((m) => [m, FUSIONS[m]!.map((p) => p.label)])),
  lexicalConfig: 'examples/configs/icecat-multifield.json',
  englishAnalysis,
  knn: { k: 50, numCandidates: 200, field: 'title_embedding' },
  throughputTexts: titles.length,
  throughputLoadAverage: throughput.loadAverage,
  bm25: bm25Row,
  models: results,
};
const dir = path.join(repoRoot(), 'bench', 'results');
await fs.writeFile(path.join(dir, 'embedding-models.json'), `${JSON.stringify(result, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'embedding-models.md'), `${md}\n`);
console.log(`wrote ${path.join(dir, 'embedding-models.json')} and .md`);
