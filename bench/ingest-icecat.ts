/**
 * Ingest of the Icecat catalog MySQL → ES with embeddings, the full pipeline against its two
 * halves, measured in the same run on the same data:
 *   - embed-only: the same titles encoded by the same encoder, cold (no vector cache), no ES;
 *   - bulk-only:  the same pipeline (MySQL → transform → bulk) with every vector served from the
 *                 cache the full run just filled, i.e. everything but the encoder;
 *   - full:       MySQL → transform → embed (cold cache) → bulk.
 * Target: full ≥ 0.9 × the slower of the two halves. Each phase runs in its own child process so
 * its peak RSS is its own. Writes bench/results/ingest-icecat.json.
 *
 *   npx tsx bench/ingest-icecat.ts [--n 19406] [--model bge-small-en-v15-q] [--es URL] [--database rwb_bench]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { icecatSourceProducts } from '../engine/catalog/icecat.ts';
import { openMysqlSource } from '../engine/catalog/mysql-source.ts';
import { writeProductsToMysql } from '../engine/catalog/mysql-writer.ts';
import type { SourceProduct } from '../engine/catalog/types.ts';
import { mysqlConnectionFromEnv, type MysqlConnection } from '../engine/config/connections.ts';
import { createTextEncoder, fetchModel, getModelSpec } from '../engine/embed/index.ts';
import { createEsClient } from '../engine/es/client.ts';
import { runIngest } from '../engine/ingest/pipeline.ts';
import { transformSpu } from '../engine/ingest/spu-transformer.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';

type Phase = 'embed-only' | 'bulk-only' | 'full';
interface PhaseResult {
  phase: Phase;
  docs: number;
  seconds: number;
  docsPerSecond: number;
  peakRssMB: number;
  executionProvider: string;
}

const TENANT = 'icecat-bench';
const args = parseArgs(process.argv.slice(2));
const conn: MysqlConnection = { ...mysqlConnectionFromEnv(), database: args.database };

function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    n: Number(get('--n') ?? 19_406),
    model: get('--model') ?? 'bge-small-en-v15-q',
    es: get('--es') ?? process.env.RWB_ES_URL ?? 'http://127.0.0.1:9200',
    database: get('--database') ?? 'rwb_bench',
    phase: (get('--phase') ?? null) as Phase | null,
    cacheDir: get('--cache-dir') ?? null,
  };
}

async function* firstN(products: AsyncIterable<SourceProduct>, n: number): AsyncGenerator<SourceProduct> {
  let i = 0;
  for await (const p of products) {
    if (i++ >= n) return;
    yield p;
  }
}

async function titlesFromMysql(): Promise<string[]> {
  const source = openMysqlSource(conn, { tenantIds: [TENANT] });
  const titles: string[] = [];
  try {
    for await (const p of source.products()) {
      const r = transformSpu(p);
      if (r.ok) titles.push(r.doc.title_en ?? r.doc.title_zh ?? '');
    }
  } finally {
    await source.close();
  }
  return titles;
}

/** Runs inside the child process: one phase, result as the last line of stdout. */
async function runPhase(phase: Phase, cacheDir: string): Promise<PhaseResult> {
  const started = performance.now();
  let docs = 0;
  let ep = 'cpu';
  if (phase === 'embed-only') {
    const titles = await titlesFromMysql();
    const encoder = await createTextEncoder({ model: args.model });
    ep = encoder.executionProvider;
    for (let i = 0; i < titles.length; i += 500) await encoder.encodeDocuments(titles.slice(i, i + 500));
    await encoder.close();
    docs = titles.length;
  } else {
    const report = await runIngest({
      source: { kind: 'mysql', connection: conn },
      tenantIds: [TENANT],
      es: { url: args.es },
      index: `rwb_bench_${phase.replace('-', '_')}`,
      recreate: true,
      resume: false,
      embedding: { model: args.model, cacheDir },
    });
    docs = report.indexed;
    ep = report.embedding?.executionProvider ?? 'none';
    if (phase === 'bulk-only' && report.embedding!.computed > 0) throw new Error(`bulk-only computed ${report.embedding!.computed} vectors: the cache was not warm`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { phase, docs, seconds, docsPerSecond: docs / seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, executionProvider: ep };
}

async function runChild(phase: Phase, cacheDir: string): Promise<PhaseResult> {
  const script = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, '--phase', phase, '--cache-dir', cacheDir, '--model', args.model, '--es', args.es, '--database', args.database, '--n', String(args.n)],
    { cwd: repoRoot(), maxBuffer: 64 * 1024 * 1024 },
  );
  const last = stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as PhaseResult;
}

async function main(): Promise<void> {
  if (args.phase) {
    process.stdout.write(`${JSON.stringify(await runPhase(args.phase, args.cacheDir!))}\n`);
    return;
  }
  try {
    await fs.access(path.join(icecatDir(), 'products-1.json'));
  } catch {
    console.log(`Icecat data not found at ${icecatDir()} (set RWB_ICECAT_DIR): skipping the ingest benchmark.`);
    return;
  }
  await fetchModel(args.model);
  console.log(`Loading ${args.n} Icecat products into MySQL ${conn.host}:${conn.port}/${conn.database} (tenant ${TENANT})…`);
  await writeProductsToMysql(conn, firstN(icecatSourceProducts({ tenantId: TENANT }), args.n), { replaceTenants: [TENANT] });

  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-vectors-'));
  const results: PhaseResult[] = [];
  try {
    for (const phase of ['embed-only', 'full', 'bulk-only'] as Phase[]) {
      console.log(`phase ${phase}…`);
      const r = await runChild(phase, cacheDir);
      console.log(`  ${r.docs} docs in ${r.seconds.toFixed(1)} s = ${r.docsPerSecond.toFixed(1)} docs/s, peak RSS ${r.peakRssMB.toFixed(0)} MB`);
      results.push(r);
    }
  } finally {
    await fs.rm(cacheDir, { recursive: true, force: true });
    const es = createEsClient({ url: args.es });
    await es.indices.delete({ index: 'rwb_bench_full,rwb_bench_bulk_only', ignore_unavailable: true }).catch(() => undefined);
    await es.close();
  }

  const rate = (p: Phase) => results.find((r) => r.phase === p)!.docsPerSecond;
  const slowerHalf = Math.min(rate('embed-only'), rate('bulk-only'));
  const ratio = rate('full') / slowerHalf;
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
  const out = {
    benchmark: 'ingest-icecat',
    date: new Date().toISOString(),
    machine,
    model: { id: args.model, dims: getModelSpec(args.model).dims, executionProvider: results[0]!.executionProvider },
    products: args.n,
    results,
    fullVsSlowerHalf: ratio,
    target: 'full ≥ 0.9 × min(embed-only, bulk-only)',
    targetMet: ratio >= 0.9,
  };
  console.log('\n| phase | docs | seconds | docs/s | peak RSS MB |\n|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.phase} | ${r.docs} | ${r.seconds.toFixed(1)} | ${r.docsPerSecond.toFixed(1)} | ${r.peakRssMB.toFixed(0)} |`);
  console.log(`\nfull / min(embed-only, bulk-only) = ${ratio.toFixed(2)} (target ≥ 0.90: ${out.targetMet ? 'met' : 'NOT met'})`);
  const file = path.join(repoRoot(), 'bench', 'results', 'ingest-icecat.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written: ${path.relative(repoRoot(), file)}`);
}

await main();
