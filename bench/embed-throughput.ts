/**
 * Text embedding throughput: our encoder vs @huggingface/transformers' feature-extraction pipeline
 * on the same model files, the same texts (Icecat titles) and the same number of CPU threads.
 *
 *   npx tsx bench/embed-throughput.ts [--n 2000] [--threads 2] [--model bge-small-en-v15-q] [--rounds 2]
 *
 * Each contender runs in its own child process, one after the other, so its peak RSS is its own
 * (process.resourceUsage().maxRSS counts worker threads too) and no two compete for the CPU.
 * Contenders alternate over several rounds and each keeps its best round: on a shared machine
 * the load changes from minute to minute, and the best round is the least disturbed one.
 * Writes bench/results/embed-throughput.json. Timings exclude model loading and a warm-up call.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dot } from '../engine/embed/batching.ts';
import { createTextEncoder, fetchModel, getModelSpec } from '../engine/embed/index.ts';
import { bertUncased } from '../engine/embed/text-tokenizer.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';

interface Args {
  n: number;
  threads: number;
  model: string;
  role: string | null;
  vectorsOut: string | null;
  batch: number | null;
  rounds: number;
}

interface RunResult {
  name: string;
  engine: 'rwb' | 'transformers.js';
  config: string;
  texts: number;
  seconds: number;
  textsPerSecond: number;
  peakRssMB: number;
  /** Longest the main thread's event loop was blocked while encoding (ms). */
  eventLoopBlockedMaxMs: number;
  executionProvider: string;
}

/** Measures how long the event loop stalls while `work` runs (a UI or server would freeze that long). */
async function withEventLoopMonitor<T>(
  work: () => Promise<T>,
): Promise<{ value: T; maxMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const value = await work();
  histogram.disable();
  return { value, maxMs: histogram.max / 1e6 };
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    n: Number(get('--n') ?? 2000),
    threads: Number(get('--threads') ?? 2),
    model: get('--model') ?? 'bge-small-en-v15-q',
    role: get('--role') ?? null,
    vectorsOut: get('--vectors-out') ?? null,
    batch: get('--batch') ? Number(get('--batch')) : null,
    rounds: Number(get('--rounds') ?? 2),
  };
}

async function loadTitles(n: number): Promise<string[] | null> {
  const dir = icecatDir();
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((f) => /^products-\d+\.json$/.test(f)).sort();
  } catch {
    return null;
  }
  if (files.length === 0) return null;
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

const WARM_UP = 32;

/** Ours: createTextEncoder with the model's defaults (or --batch). */
async function runOurs(
  args: Args,
  titles: string[],
): Promise<{ result: RunResult; vectors: Float32Array[] }> {
  const encoder = await createTextEncoder({
    model: args.model,
    threads: args.threads,
    batchSize: args.batch ?? undefined,
    log: () => {},
  });
  await encoder.encodeDocuments(titles.slice(0, WARM_UP));
  const start = performance.now();
  const { value: vectors, maxMs } = await withEventLoopMonitor(() =>
    encoder.encodeDocuments(titles),
  );
  const seconds = (performance.now() - start) / 1000;
  await encoder.close();
  const config = `${encoder.workers} workers × ${encoder.threadsPerWorker} thread, batch ${encoder.batchSize}, length-sorted`;
  return {
    vectors,
    result: {
      name: args.batch ? `rwb (batch ${args.batch})` : 'rwb (default)',
      engine: 'rwb',
      config,
      texts: titles.length,
      seconds,
      textsPerSecond: titles.length / seconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      eventLoopBlockedMaxMs: maxMs,
      executionProvider: encoder.executionProvider,
    },
  };
}

/**
 * transformers.js reads a Hugging Face model directory; we lay one out over our extracted files
 * (symlinks) so both read the very same ONNX graph and tokenizer.json.
 */
async function transformersModelDir(modelId: string): Promise<string> {
  const spec = getModelSpec(modelId);
  const files = await fetchModel(modelId);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-tjs-'));
  const dir = path.join(root, modelId);
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.symlink(files.tokenizerPath, path.join(dir, 'tokenizer.json'));
  await fs.symlink(
    files.onnxPath,
    path.join(dir, 'onnx', spec.quantized ? 'model_quantized.onnx' : 'model.onnx'),
  );
  const config = { model_type: 'bert', architectures: ['BertModel'], hidden_size: spec.dims };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    model_max_length: spec.maxTokens,
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
  return root;
}

async function runTransformers(
  args: Args,
  titles: string[],
): Promise<{ result: RunResult; vectors: Float32Array[] }> {
  const spec = getModelSpec(args.model);
  const batch = args.batch ?? 32;
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = await transformersModelDir(args.model);
  const extractor = await pipeline('feature-extraction', args.model, {
    dtype: spec.quantized ? 'q8' : 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: args.threads, interOpNumThreads: 1 },
  });
  // Same model input as ours: bge-zh's uncased normalisation is not in its tokenizer.json.
  const inputs = spec.lowercase ? titles.map(bertUncased) : titles;
  const embed = async (texts: string[]) => {
    const out = await extractor(texts, { pooling: 'cls', normalize: true });
    const data = out.data as Float32Array;
    return texts.map((_, i) => data.slice(i * spec.dims, (i + 1) * spec.dims));
  };
  await embed(inputs.slice(0, WARM_UP));
  const start = performance.now();
  const { value: vectors, maxMs } = await withEventLoopMonitor(async () => {
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += batch)
      out.push(...(await embed(inputs.slice(i, i + batch))));
    return out;
  });
  const seconds = (performance.now() - start) / 1000;
  await extractor.dispose();
  return {
    vectors,
    result: {
      name: `transformers.js (batch ${batch})`,
      engine: 'transformers.js',
      config: `1 session × ${args.threads} intra-op threads, batch ${batch}, input order`,
      texts: titles.length,
      seconds,
      textsPerSecond: titles.length / seconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      eventLoopBlockedMaxMs: maxMs,
      executionProvider: 'cpu',
    },
  };
}

/** Child process: one contender, result as the last stdout line, vectors to a binary file. */
async function child(args: Args): Promise<void> {
  const titles = (await loadTitles(args.n))!;
  const run =
    args.role === 'ours' ? await runOurs(args, titles) : await runTransformers(args, titles);
  if (args.vectorsOut) {
    const flat = new Float32Array(run.vectors.length * run.vectors[0]!.length);
    run.vectors.forEach((v, i) => flat.set(v, i * v.length));
    await fs.writeFile(args.vectorsOut, Buffer.from(flat.buffer));
  }
  process.stdout.write(`\n${JSON.stringify(run.result)}\n`);
}

const execFileAsync = promisify(execFile);

async function contender(
  args: Args,
  role: 'ours' | 'transformers',
  batch: number | null,
  vectorsOut: string,
): Promise<RunResult> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [
    ...process.execArgv,
    script,
    '--role',
    role,
    '--n',
    String(args.n),
    '--threads',
    String(args.threads),
    '--model',
    args.model,
    '--vectors-out',
    vectorsOut,
    ...(batch ? ['--batch', String(batch)] : []),
  ];
  const { stdout } = await execFileAsync(process.execPath, childArgs, { maxBuffer: 64 << 20 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as RunResult;
}

async function readVectors(file: string, dims: number): Promise<Float32Array[]> {
  const buf = await fs.readFile(file);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Array.from({ length: flat.length / dims }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
}

function agreement(
  a: Float32Array[],
  b: Float32Array[],
): { meanCosine: number; minCosine: number } {
  const cos = a.map((v, i) => dot(v, b[i]!));
  return { meanCosine: cos.reduce((s, c) => s + c, 0) / cos.length, minCosine: Math.min(...cos) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.role) return child(args);

  const titles = await loadTitles(args.n);
  if (!titles) {
    console.log(
      `Skipped: no Icecat data at ${icecatDir()} (set RWB_ICECAT_DIR to the directory with products-*.json).`,
    );
    return;
  }
  const spec = getModelSpec(args.model);
  await fetchModel(args.model);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-embed-'));
  const loadStart = os.loadavg()[0]!;
  console.log(
    `${titles.length} Icecat titles, ${args.model}, ${args.threads} threads; running contenders one by one…`,
  );

  const plan: Array<{ role: 'ours' | 'transformers'; batch: number | null; key: string }> = [
    { role: 'ours', batch: null, key: 'ours-default' },
    { role: 'transformers', batch: 32, key: 'tjs-32' },
    { role: 'transformers', batch: 1, key: 'tjs-1' },
  ];
  // Quantized models run one text per ONNX call by default; also show the batched opt-in.
  if (spec.quantized) plan.splice(1, 0, { role: 'ours', batch: 32, key: 'ours-32' });

  const rounds: RunResult[][] = plan.map(() => []);
  const vectors = new Map<string, Float32Array[]>();
  for (let round = 1; round <= args.rounds; round++) {
    for (const [i, step] of plan.entries()) {
      const file = path.join(tmp, `${step.key}.f32`);
      const result = await contender(args, step.role, step.batch, file);
      rounds[i]!.push(result);
      if (round === 1) vectors.set(step.key, await readVectors(file, spec.dims));
      console.log(`  round ${round} ${result.name}: ${result.textsPerSecond.toFixed(1)} texts/s`);
    }
  }
  const results = rounds.map((r) =>
    r.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a)),
  );
  await fs.rm(tmp, { recursive: true, force: true });

  const ours = results[0]!;
  const bestTjs = results
    .filter((r) => r.engine === 'transformers.js')
    .reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  const speedup = ours.textsPerSecond / bestTjs.textsPerSecond;

  const table = results.map((r) => ({
    run: r.name,
    config: r.config,
    'texts/s': r.textsPerSecond.toFixed(1),
    'vs best transformers.js': `${(r.textsPerSecond / bestTjs.textsPerSecond).toFixed(2)}×`,
    'peak RSS MB': r.peakRssMB.toFixed(0),
    'main thread blocked max ms': r.eventLoopBlockedMaxMs.toFixed(0),
    'all rounds': rounds[results.indexOf(r)]!.map((x) => x.textsPerSecond.toFixed(0)).join(' / '),
  }));
  console.table(table);
  const oursVsTjs1 = agreement(vectors.get('ours-default')!, vectors.get('tjs-1')!);
  const oursVsTjs32 = agreement(vectors.get('ours-default')!, vectors.get('tjs-32')!);
  console.log(
    `speedup of rwb (default) over the best transformers.js run: ${speedup.toFixed(2)}× (target ≥ 1.5×)\n` +
      `vector agreement, rwb vs transformers.js batch 1: mean cos ${oursVsTjs1.meanCosine.toFixed(6)}, ` +
      `min ${oursVsTjs1.minCosine.toFixed(6)}; vs batch 32: mean ${oursVsTjs32.meanCosine.toFixed(6)}, ` +
      `min ${oursVsTjs32.minCosine.toFixed(6)}`,
  );

  const report = {
    benchmark: 'embed-throughput',
    date: new Date().toISOString(),
    machine: {
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      totalMemGB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
      platform: `${process.platform}/${process.arch}`,
      node: process.version,
      loadAverage1mAtStart: loadStart,
      loadAverage1mAtEnd: os.loadavg()[0],
    },
    model: args.model,
    executionProvider: ours.executionProvider,
    threads: args.threads,
    texts: titles.length,
    source: 'Icecat product titles (first N of products-*.json)',
    rounds: args.rounds,
    results,
    allRounds: rounds.map((r) => r.map((x) => Number(x.textsPerSecond.toFixed(1)))),
    speedupVsBestTransformersJs: Number(speedup.toFixed(3)),
    target: 1.5,
    vectorAgreement: { vsTransformersBatch1: oursVsTjs1, vsTransformersBatch32: oursVsTjs32 },
  };
  const out = path.join(repoRoot(), 'bench', 'results', 'embed-throughput.json');
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
