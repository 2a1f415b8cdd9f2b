/**
 * The Icecat index the evaluation benchmarks search: all 19,406 products as tenant "icecat",
 * ingested MySQL → ES with bge-small-en (title_embedding) when the index is missing or
 * incomplete. The vector cache under RWB_HOME is shared, so only the very first build embeds.
 *
 *   npx tsx bench/eval-icecat-index.ts [--es URL] [--index rwb_bench_eval_icecat] [--database rwb_bench_eval]
 */
import { fileURLToPath } from 'node:url';
import {
  ICECAT_PRODUCT_COUNT,
  ICECAT_TENANT,
  loadIcecatIntoMysql,
} from '../engine/catalog/icecat.ts';
import { mysqlConnectionFromEnv } from '../engine/config/connections.ts';
import { createEsClient } from '../engine/es/client.ts';
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

/** Makes sure `index` holds the whole Icecat catalog with text embeddings; returns its doc count. */
export async function ensureIcecatIndex(options: IcecatIndexOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const existing = await tenantCount(options.es, options.index);
  if (existing === ICECAT_PRODUCT_COUNT) return existing;
  log(
    `${options.index} holds ${existing} Icecat products; loading MySQL ${options.database} and ingesting…`,
  );
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
