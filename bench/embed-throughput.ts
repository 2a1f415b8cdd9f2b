/**
 * Text embedding throughput: our encoder vs @huggingface/transformers' feature-extraction pipeline
 * on the same model files, the same texts (Icecat titles) and the same number of CPU threads.
 *
 *   npx tsx bench/embed-throughput.ts [--n 2000] [--threads 2] [--model bge-small-en-v15-q] [--slice 256]
 *
 * Each contender lives in its own child process (its peak RSS is its own: maxRSS counts worker
 * threads too). The titles are cut into slices and the contenders take turns on each slice, one
 * at a time, in rotating order: on a shared machine the load changes from second to second, and
 * taking turns spreads it evenly over the contenders instead of favouring whoever ran in a quiet
 * minute. Model loading and a warm-up call are not timed. Writes bench/results/embed-throughput.json.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dot } from '../engine/embed/batching.ts';
import { fetchModel, getModelSpec } from '../engine/embed/index.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import {
  type ContenderSpec,
  type FromContender,
  type ToContender,
  serveContender,
} from './embed-throughput-contender.ts';

interface Args {
  n: number;
  threads: number;
  model: string;
  slice: number;
  child: ContenderSpec | null;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const role = get('--role') as ContenderSpec['role'] | undefined;
  const args = {
    n: Number(get('--n') ?? 2000),
    threads: Number(get('--threads') ?? 2),
    model: get('--model') ?? 'bge-small-en-v15-q',
    slice: Number(get('--slice') ?? 256),
  };
  const batch = get('--batch');
  const child = role
    ? { role, model: args.model, threads: args.threads, batch: batch ? Number(batch) : null }
    : null;
  return { ...args, child };
}

async function loadTitles(n: number): Promise<string[] | null> {
  const dir = icecatDir();
  const files = await fs.readdir(dir).then(
    (all) => all.filter((f) => /^products-\d+\.json$/.test(f)).sort(),
    () => [],
  );
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

/** The parent's handle on a contender child: send a request, wait for its answer. */
class ContenderProcess {
  private waiting: ((msg: FromContender) => void) | null = null;
  readonly sliceSeconds: number[] = [];
  eventLoopBlockedMaxMs = 0;
  ready!: Extract<FromContender, { type: 'ready' }>;

  private constructor(
    readonly key: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (msg: FromContender) => {
      const resolve = this.waiting;
      this.waiting = null;
      resolve?.(msg);
    });
    proc.on('exit', (code) => {
      if (code !== 0) this.waiting?.({ type: 'failed', error: `exited with code ${code}` });
    });
  }

  static async start(key: string, spec: ContenderSpec, args: Args): Promise<ContenderProcess> {
    const childArgs = [
      '--role',
      spec.role,
      '--n',
      String(args.n),
      '--threads',
      String(spec.threads),
    ];
    childArgs.push('--model', spec.model, ...(spec.batch ? ['--batch', String(spec.batch)] : []));
    const proc = fork(fileURLToPath(import.meta.url), childArgs, { execArgv: process.execArgv });
    const contender = new ContenderProcess(key, proc);
    const first = await contender.next();
    if (first.type !== 'ready') throw new Error(`${key} did not start: ${JSON.stringify(first)}`);
    contender.ready = first;
    return contender;
  }

  private next(): Promise<FromContender> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async request(msg: ToContender): Promise<FromContender> {
    const answer = this.next();
    this.proc.send(msg);
    const reply = await answer;
    if (reply.type === 'failed') throw new Error(`${this.key}: ${reply.error}`);
    return reply;
  }
}

async function readVectors(file: string, dims: number): Promise<Float32Array[]> {
  const buf = await fs.readFile(file);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Array.from({ length: flat.length / dims }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
}

function agreement(a: Float32Array[], b: Float32Array[]) {
  const cos = a.map((v, i) => dot(v, b[i]!));
  const mean = cos.reduce((s, c) => s + c, 0) / cos.length;
  return { meanCosine: Number(mean.toFixed(6)), minCosine: Number(Math.min(...cos).toFixed(6)) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const titles = await loadTitles(args.n);
  if (args.child) return serveContender(args.child, titles!);
  if (!titles) {
    console.log(
      `Skipped: no Icecat data at ${icecatDir()} (set RWB_ICECAT_DIR to the directory with products-*.json).`,
    );
    return;
  }
  const spec = getModelSpec(args.model);
  await fetchModel(args.model);
  const load = [os.loadavg()[0]!];
  const base = { model: args.model, threads: args.threads };
  const plan: Array<{ key: string; spec: ContenderSpec }> = [
    { key: 'rwb-default', spec: { ...base, role: 'ours', batch: null } },
    // int8 models run one text per ONNX call by default; the batched opt-in is shown too.
    ...(spec.quantized
      ? [{ key: 'rwb-batch-32', spec: { ...base, role: 'ours' as const, batch: 32 } }]
      : []),
    { key: 'tjs-batch-32', spec: { ...base, role: 'transformers', batch: 32 } },
    { key: 'tjs-batch-1', spec: { ...base, role: 'transformers', batch: 1 } },
  ];
  console.log(
    `${titles.length} Icecat titles, ${args.model}, ${args.threads} threads, slices of ${args.slice}`,
  );

  const contenders: ContenderProcess[] = [];
  for (const p of plan) contenders.push(await ContenderProcess.start(p.key, p.spec, args));
  const slices = Math.ceil(titles.length / args.slice);
  for (let s = 0; s < slices; s++) {
    const from = s * args.slice;
    const to = Math.min(titles.length, from + args.slice);
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(s + k) % contenders.length]!;
      const reply = await c.request({ type: 'slice', from, to });
      if (reply.type !== 'sliced') throw new Error(`${c.key}: unexpected ${reply.type}`);
      c.sliceSeconds.push(reply.seconds);
      c.eventLoopBlockedMaxMs = Math.max(c.eventLoopBlockedMaxMs, reply.eventLoopBlockedMaxMs);
    }
    process.stdout.write(`  slice ${s + 1}/${slices}\n`);
  }
  load.push(os.loadavg()[0]!);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-embed-'));
  const results = [];
  const vectors = new Map<string, Float32Array[]>();
  for (const c of contenders) {
    const file = path.join(tmp, `${c.key}.f32`);
    const done = await c.request({ type: 'finish', vectorsOut: file });
    if (done.type !== 'finished') throw new Error(`${c.key}: unexpected ${done.type}`);
    vectors.set(c.key, await readVectors(file, spec.dims));
    const seconds = c.sliceSeconds.reduce((a, b) => a + b, 0);
    results.push({
      key: c.key,
      name: c.ready.name,
      engine: c.ready.engine,
      config: c.ready.config,
      executionProvider: c.ready.executionProvider,
      texts: titles.length,
      seconds: Number(seconds.toFixed(3)),
      textsPerSecond: Number((titles.length / seconds).toFixed(1)),
      peakRssMB: Math.round(done.peakRssMB),
      eventLoopBlockedMaxMs: Math.round(c.eventLoopBlockedMaxMs),
      sliceSeconds: c.sliceSeconds.map((x) => Number(x.toFixed(3))),
    });
  }
  await fs.rm(tmp, { recursive: true, force: true });

  const ours = results[0]!;
  const tjs = results.filter((r) => r.engine === 'transformers.js');
  const bestTjs = tjs.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  const speedup = ours.textsPerSecond / bestTjs.textsPerSecond;
  // Paired per slice: both ran the same texts within seconds of each other.
  const perSlice = ours.sliceSeconds.map((s, i) => bestTjs.sliceSeconds[i]! / s);

  console.table(
    results.map((r) => ({
      run: r.name,
      config: r.config,
      'texts/s': r.textsPerSecond,
      'vs best transformers.js': `${(r.textsPerSecond / bestTjs.textsPerSecond).toFixed(2)}×`,
      'peak RSS MB': r.peakRssMB,
      'main thread stalled max ms': r.eventLoopBlockedMaxMs,
    })),
  );
  const vsTjs1 = agreement(vectors.get('rwb-default')!, vectors.get('tjs-batch-1')!);
  const vsTjs32 = agreement(vectors.get('rwb-default')!, vectors.get('tjs-batch-32')!);
  console.log(
    `rwb (default) vs best transformers.js (${bestTjs.name}): ${speedup.toFixed(2)}× overall, ` +
      `per-slice median ${median(perSlice).toFixed(2)}× (range ${Math.min(...perSlice).toFixed(2)}–` +
      `${Math.max(...perSlice).toFixed(2)}×); target ≥ 1.5×\n` +
      `vectors, rwb (default) vs transformers.js batch 1: mean cos ${vsTjs1.meanCosine}, min ${vsTjs1.minCosine}; ` +
      `vs batch 32: mean ${vsTjs32.meanCosine}, min ${vsTjs32.minCosine}\n` +
      `1-min load average: ${load[0]!.toFixed(1)} at start, ${load[1]!.toFixed(1)} at end (${os.availableParallelism()} cores)`,
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
      loadAverage1m: { start: load[0], end: load[1] },
    },
    model: args.model,
    executionProvider: ours.executionProvider,
    threads: args.threads,
    texts: titles.length,
    source: 'Icecat product titles (first N of products-*.json)',
    method: `contenders in separate processes take turns on slices of ${args.slice} titles (rotating order)`,
    results,
    speedupVsBestTransformersJs: Number(speedup.toFixed(3)),
    pairedSliceSpeedup: {
      median: Number(median(perSlice).toFixed(3)),
      min: Number(Math.min(...perSlice).toFixed(3)),
      max: Number(Math.max(...perSlice).toFixed(3)),
    },
    target: 1.5,
    vectorAgreement: { vsTransformersBatch1: vsTjs1, vsTransformersBatch32: vsTjs32 },
  };
  const out = path.join(repoRoot(), 'bench', 'results', 'embed-throughput.json');
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
