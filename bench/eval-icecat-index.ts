/**
 * The Icecat index the evaluation benchmarks search: all 19,406 products as tenant "icecat",
 * ingested MySQL → ES with bge-small-en (title_embedding) when the index is missing or
 * incomplete. The vector cache under RWB_HOME is shared, so only the very first build embeds.
 *
 *   npx tsx bench/eval-icecat-index.ts [--es URL] [--index rwb_bench_eval_icecat] [--database rwb_bench_eval]
 */
import { fileURLToPath } from 'node:url';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { AnalysisChoice } from '../engine/es/analysis.ts';
import { buildIndexBody, type IndexMeta } from '../engine/es/index-body.ts';
import {
  ICECAT_PRODUCT_COUNT,
  ICECAT_TENANT,
  loadIcecatIntoMysql,
} from '../engine/catalog/icecat.ts';
import { mysqlConnectionFromEnv } from '../engine/config/connections.ts';
import { createEsClient } from '../engine/es/client.ts';
import { detectAnalysis } from '../engine/es/analysis.ts';
import { ensureIndex } from '../engine/es/index.ts';
import { getModelSpec } from '../engine/embed/index.ts';
import { runIngest } from '../engine/ingest/pipeline.ts';

export const EVAL_BENCH_MODEL = 'bge-small-en-v15-q';

export interface IcecatIndexOptions {
  es: string;
  index: string;
  database: string;
  model?: string;
  log?: (line: string) => void;
}

async function tenantCount(es: string, index: string): Promise<number> {
  const client = createEsClient({ url: es });
  try {
    if (!(await client.indices.exists({ index }))) return 0;
    const { count } = await client.count({ index, query: { term: { tenant_id: ICECAT_TENANT } } });
    return count;
  } finally {
    await client.close();
  }
}

/**
 * The benchmarks' base index analyses English with `standard` whatever the cluster offers, so
 * "standard analysis" rows mean that on every machine (a node with the rwb-analysis plugin would
 * otherwise pick rwb_english); the stemmed variants are copies (ensureEnglishVariant).
 */
async function ensureStandardIndex(options: IcecatIndexOptions): Promise<void> {
  const client = createEsClient({ url: options.es });
  try {
    if (await client.indices.exists({ index: options.index })) return;
    const detected = await detectAnalysis(client, {}, options.es);
    const standard = { family: 'standard', indexAnalyzer: 'standard', searchAnalyzer: 'standard' };
    const model = options.model ?? EVAL_BENCH_MODEL;
    await ensureIndex(client, {
      index: options.index,
      url: options.es,
      analysis: { ...detected, en: standard },
      textDims: getModelSpec(model).dims,
      textModel: model,
    });
  } finally {
    await client.close();
  }
}

/** Makes sure `index` holds the whole Icecat catalog with text embeddings; returns its doc count. */
export async function ensureIcecatIndex(options: IcecatIndexOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const existing = await tenantCount(options.es, options.index);
  if (existing === ICECAT_PRODUCT_COUNT) return existing;
  log(
    `${options.index} holds ${existing} Icecat products; loading MySQL ${options.database} and ingesting…`,
  );
  await ensureStandardIndex(options);
  const conn = { ...mysqlConnectionFromEnv(), database: options.database };
  await loadIcecatIntoMysql(conn, { tenantId: ICECAT_TENANT });
  const report = await runIngest({
    source: { kind: 'mysql', connection: conn },
    tenantIds: [ICECAT_TENANT],
    es: { url: options.es },
    index: options.index,
    recreate: true,
    resume: false,
    embedding: { model: options.model ?? EVAL_BENCH_MODEL, threads: 2 },
  });
  log(`ingested ${report.indexed} products (${report.failed} failed)`);
  return tenantCount(options.es, options.index);
}

/** Icecat products in `index`, -1 when it does not exist. */
async function icecatProducts(es: Client, index: string): Promise<number> {
  if (!(await es.indices.exists({ index }))) return -1;
  await es.indices.refresh({ index });
  return (await es.count({ index, query: { term: { tenant_id: ICECAT_TENANT } } })).count;
}

/**
 * A copy of `source` whose English fields are analysed by `analyzer` (reused when complete): a
 * name the node knows (`rwb_english`), or a custom analyzer that `options.settings` defines. The
 * copy may live on another node (`options.target`). The embedded node has no reindex module, so
 * the documents travel by scroll + bulk with their `_id`s (judgments and hits refer to them); the
 * title vectors are in `_source`, so nothing is re-embedded.
 */
export async function ensureEnglishVariant(
  es: Client,
  source: string,
  analyzer: string,
  options: { target?: Client; settings?: estypes.IndicesIndexSettingsAnalysis } = {},
): Promise<string> {
  if (analyzer === 'standard') return source;
  const out = options.target ?? es;
  const target = `${source}_${analyzer}`;
  const want = await icecatProducts(es, source);
  if ((await icecatProducts(out, target)) === want) return target;
  const mapping = await es.indices.getMapping({ index: source });
  const meta = Object.values(mapping)[0]!.mappings._meta as unknown as IndexMeta;
  const analysis = {
    ...meta.analysis,
    available: meta.analysis.available ?? {},
    en: { family: analyzer, indexAnalyzer: analyzer, searchAnalyzer: analyzer },
  } satisfies AnalysisChoice;
  const body = buildIndexBody({
    analysis,
    textDims: meta.text_dims,
    imageDims: meta.image_dims,
    textModel: meta.text_model,
    imageModel: meta.image_model,
  });
  const settings = {
    ...body.settings,
    analysis: { ...body.settings.analysis, ...options.settings },
  };
  await out.indices.delete({ index: target, ignore_unavailable: true });
  await out.indices.create({ index: target, settings, mappings: body.mappings });
  const started = Date.now();
  const ids = new WeakMap<object, string>();
  async function* hits() {
    for await (const page of es.helpers.scrollSearch<Record<string, unknown>>({
      index: source,
      size: 500,
      query: { match_all: {} },
    })) {
      for (const hit of page.body.hits.hits) {
        ids.set(hit._source!, hit._id!);
        yield hit._source!;
      }
    }
  }
  let copied = 0;
  const result = await out.helpers.bulk({
    datasource: hits(),
    onDocument: (doc) => {
      copied++;
      if (copied % 5000 === 0) console.error(`copy → ${target}: ${copied}/${want}`);
      return { index: { _index: target, _id: ids.get(doc)! } };
    },
    flushBytes: 5_000_000,
    concurrency: 2,
    refreshOnCompletion: target,
  });
  if (result.failed > 0)
    throw new Error(`${result.failed} documents failed to copy into ${target}`);
  console.error(`${target}: copied in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return target;
}

export function benchArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    get,
    es: get('--es') ?? process.env.RWB_ES_URL ?? 'http://127.0.0.1:9200',
    index: get('--index') ?? 'rwb_bench_eval_icecat',
    database: get('--database') ?? 'rwb_bench_eval',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = benchArgs(process.argv.slice(2));
  const count = await ensureIcecatIndex(args);
  process.stdout.write(`${args.index}: ${count} Icecat products\n`);
}
