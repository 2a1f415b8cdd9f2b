/**
 * Tune's slider → repaint latency in the real app: browser mode in Debian's Chromium, the real
 * engine and ES, the Icecat catalog (19,406 products) and its 100-query judgments. The app itself
 * records, right before it paints a live answer, `performance.measure` entries from the slider
 * input they reflect: `rwb:slider→results` (the current query's top 10) and `rwb:slider→metric`
 * (mean ndcg@10 over the whole query set). Two patterns:
 *   - step: one move, wait for both repaints, next move (isolated latency);
 *   - drag: bursts of moves 16 ms apart like a dragged thumb; only the last move's answers paint
 *     (stale requests are aborted), measured from that last input.
 * Two contenders in one run, each with its own server and index:
 *   - `bm25`: the built-in default config on an index without embeddings (lexical only);
 *   - `hybrid-rrf`: examples/configs/icecat-hybrid-rrf.json on the bge-small-en index (the eval
 *     benchmarks' index): lexical + kNN sub-searches fused in the engine, the sliders a mix of
 *     field/domain boosts (the lexical sub-search changes) and fusion levers (nothing but the
 *     fusion changes).
 * Targets: results p95 ≤ 150 ms (issue 5); query-set metric p95 ≤ 150 ms with engine-side fusion
 * in the loop (issue 10). Writes bench/results/slider-latency.json. Measures only; asserts nothing.
 *
 *   npx tsx bench/slider-latency.ts [--moves 60] [--bursts 15] [--es URL] [--index NAME]
 *       [--hybrid-index rwb_bench_eval_icecat] [--contenders bm25,hybrid-rrf]
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApiContext } from '../engine/api/context.ts';
import { invoke } from '../engine/api/invoke.ts';
import { icecatSourceProducts, ICECAT_TENANT } from '../engine/catalog/icecat.ts';
import { buildRenderer } from '../engine/cli/commands/app.ts';
import { createEsClient } from '../engine/es/client.ts';
import { startHttpServer } from '../engine/http/server.ts';
import { runIngest } from '../engine/ingest/pipeline.ts';
import { icecatDir, repoRoot, rwbHome } from '../engine/paths.ts';
import { ensureIcecatIndex as ensureEmbeddedIcecatIndex } from './eval-icecat-index.ts';

function arg(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const ES_URL = arg('--es', process.env.RWB_ES_URL ?? 'http://127.0.0.1:9200');
const INDEX = arg('--index', 'rwb_bench_slider_icecat');
const HYBRID_INDEX = arg('--hybrid-index', 'rwb_bench_eval_icecat');
const MOVES = Number(arg('--moves', '60'));
const BURSTS = Number(arg('--bursts', '15'));
const CONTENDERS = arg('--contenders', 'bm25,hybrid-rrf').split(',');
const CHROMIUM = process.env.RWB_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_MS = 150;

interface Contender {
  name: string;
  /** What it is, for the JSON. */
  description: string;
  /** Index to search; returns its product count (building it when missing). */
  index: string;
  ensure(dir: string): Promise<number>;
  /** A config file to make the working config, or null for the built-in default. */
  configFile: string | null;
  /** Slider paths moved in turn, with the kind of change each makes to the searches. */
  sliders: ReadonlyArray<{ path: string; kind: 'lexical' | 'fusion' }>;
}

const CONTENDER_TABLE: Contender[] = [
  {
    name: 'bm25',
    description: 'built-in default config, lexical only (index without embeddings)',
    index: INDEX,
    ensure: (dir) => ensurePlainIcecatIndex(dir),
    configFile: null,
    sliders: [
      { path: 'domains.default.fields.title_en.boost', kind: 'lexical' },
      { path: 'domains.default.fields.brief_en.boost', kind: 'lexical' },
      { path: 'domains.default.fields.vendor_en.boost', kind: 'lexical' },
      { path: 'domains.default.fields.category_name_en.boost', kind: 'lexical' },
      { path: 'domains.title.boost', kind: 'lexical' },
      { path: 'domains.brand.boost', kind: 'lexical' },
    ],
  },
  {
    name: 'hybrid-rrf',
    description:
      'examples/configs/icecat-hybrid-rrf.json: combined_fields + proximity and kNN (bge-small-en-v15-q) fused by RRF in the engine',
    index: HYBRID_INDEX,
    ensure: () =>
      ensureEmbeddedIcecatIndex({ es: ES_URL, index: HYBRID_INDEX, database: 'rwb_bench_eval' }),
    configFile: path.join(repoRoot(), 'examples', 'configs', 'icecat-hybrid-rrf.json'),
    sliders: [
      { path: 'domains.default.fields.title_en.boost', kind: 'lexical' },
      { path: 'ranking.expression.text_embedding_relevance', kind: 'fusion' },
      { path: 'domains.default.fields.brief_en.boost', kind: 'lexical' },
      { path: 'ranking.fusion.rankConstant', kind: 'fusion' },
      { path: 'domains.title.boost', kind: 'lexical' },
      { path: 'domains.brand.boost', kind: 'lexical' },
    ],
  },
];

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

async function ensurePlainIcecatIndex(dir: string): Promise<number> {
  const client = createEsClient({ url: ES_URL, insecure: false, requestTimeoutMs: 60_000 });
  try {
    const exists = await client.indices.exists({ index: INDEX });
    if (exists) {
      const { count } = await client.count({ index: INDEX });
      if (count >= 19_000) return count;
    }
  } finally {
    await client.close();
  }
  const file = path.join(dir, 'icecat.ndjson');
  const out = await fs.open(file, 'w');
  for await (const product of icecatSourceProducts())
    await out.write(`${JSON.stringify(product)}\n`);
  await out.close();
  const report = await runIngest({
    source: { kind: 'file', path: file },
    es: { url: ES_URL },
    index: INDEX,
    recreate: true,
    embedding: { model: null },
    resume: false,
  });
  return report.indexed;
}

/** 8 input events 16 ms apart on a range input, through React's value setter. */
function dragScript(selector: string, direction: 1 | -1): string {
  return `new Promise((resolve) => {
    const input = document.querySelector(${JSON.stringify(selector)});
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    let n = 0;
    const tick = () => {
      const next = Number(input.value) + ${direction} * Number(input.step);
      setValue.call(input, String(Math.round(next * 100) / 100));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      if (++n < 8) setTimeout(tick, 16); else resolve();
    };
    tick();
  })`;
}

/** Measures recorded so far by the app, by name. */
async function measures(page: Page, name: string): Promise<number[]> {
  return page.evaluate(
    (n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration),
    name,
  );
}

async function waitForCount(page: Page, name: string, count: number): Promise<void> {
  try {
    await page.waitForFunction(
      ([n, c]) => performance.getEntriesByName(n as string, 'measure').length >= (c as number),
      [name, count],
      { timeout: 30_000 },
    );
  } catch (err) {
    const seen = await page.evaluate(() =>
      performance.getEntriesByType('measure').map((e) => e.name),
    );
    const errors = await page.locator('[data-testid=error-banner]').allTextContents();
    throw new Error(
      `waiting for ${count} × ${name}; measures so far: ${JSON.stringify(seen)}; errors on screen: ${JSON.stringify(errors)}`,
      { cause: err },
    );
  }
}

/** One contender: its own session home, server and page; the step and drag patterns. */
async function runContender(
  contender: Contender,
  browser: Browser,
  rendererDir: string,
  tmp: string,
  models: string,
) {
  const products = await contender.ensure(tmp);
  // A fresh session store per contender (working config, query sets); the fetched models shared.
  const home = path.join(tmp, `home-${contender.name}`);
  await fs.mkdir(home, { recursive: true });
  if (existsSync(models)) await fs.symlink(models, path.join(home, 'models'));
  const previousHome = process.env.RWB_HOME;
  process.env.RWB_HOME = home;
  const ctx = createApiContext({
    mode: 'browser',
    es: { url: ES_URL, insecure: false, requestTimeoutMs: 30_000 },
    defaultIndex: contender.index,
  });
  const server = await startHttpServer({ ctx, rendererDir, port: 0 });
  try {
    const judgments = await fs.readFile(path.join(icecatDir(), 'judgments.csv'), 'utf8');
    const imported = await invoke(
      'judgments.import',
      {
        text: judgments,
        format: 'csv',
        name: 'icecat',
        tenant: ICECAT_TENANT,
        index: contender.index,
        overwrite: true,
      },
      ctx,
    );
    if (contender.configFile !== null) {
      const config = JSON.parse(await fs.readFile(contender.configFile, 'utf8')) as Record<
        string,
        unknown
      >;
      await invoke('config.set', { config, index: contender.index }, ctx);
    }
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${server.url}#/tune`);
    await page.locator('[data-testid=app-ready]').waitFor({ state: 'attached' });
    await page.getByTestId('tune-tenant').selectOption(ICECAT_TENANT);
    await page.getByTestId('queryset-select').selectOption(imported.info.id);
    await page.getByTestId('tune-query').fill('laptop');
    await page.getByTestId('tune-query').press('Enter');
    await page.getByTestId('tune-result').first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=tune-metric-value]')?.getAttribute('data-value') !==
        '',
      undefined,
      { timeout: 60_000 },
    );
    const baseline = await page
      .getByTestId('tune-metric-value')
      .getAttribute('data-value')
      .then(Number);

    const selectorOf = (p: string) =>
      `[data-testid=slider][data-path="${p}"] [data-testid=slider-input]`;
    const slider = (p: string) => page.locator(selectorOf(p));
    // Groups after the first two start folded: open the ones holding the benchmark's sliders.
    for (const s of contender.sliders) {
      await slider(s.path).waitFor({ state: 'attached' });
      const group = page.locator('details.slider-group', { has: slider(s.path) });
      if ((await group.getAttribute('open')) === null) await group.locator('summary').click();
      await slider(s.path).waitFor();
    }

    // Warm-up: one move and back on every slider (first-call costs: JIT, query vectors, caches).
    let warm = 0;
    for (const s of contender.sliders) {
      for (const key of ['ArrowRight', 'ArrowLeft']) {
        await slider(s.path).focus();
        await slider(s.path).press(key);
        warm++;
        await waitForCount(page, 'rwb:slider→results', warm);
        await waitForCount(page, 'rwb:slider→metric', warm);
      }
    }
    await page.evaluate(() => {
      performance.clearMeasures();
      performance.clearResourceTimings();
      performance.setResourceTimingBufferSize(100_000);
    });

    // Step pattern: one move, both repaints, next.
    const moved: Array<'lexical' | 'fusion'> = [];
    for (let i = 0; i < MOVES; i++) {
      const s = contender.sliders[i % contender.sliders.length]!;
      await slider(s.path).focus();
      // Each slider goes up on one visit and back down on the next, so none runs into its end.
      await slider(s.path).press(
        Math.floor(i / contender.sliders.length) % 2 === 0 ? 'ArrowRight' : 'ArrowLeft',
      );
      moved.push(s.kind);
      await waitForCount(page, 'rwb:slider→results', i + 1);
      await waitForCount(page, 'rwb:slider→metric', i + 1);
    }
    // The HTTP round trips as the page saw them (request sent → response read), per operation.
    const roundTrips = async (operation: string) =>
      stats(
        await page.evaluate(
          (op) =>
            performance
              .getEntriesByType('resource')
              .filter((e) => e.name.endsWith(`/${op}`))
              .map((e) => e.duration),
          operation,
        ),
      );
    const roundTrip = {
      'search.run': await roundTrips('search.run'),
      'tune.preview': await roundTrips('tune.preview'),
    };
    const stepResults = await measures(page, 'rwb:slider→results');
    const stepMetric = await measures(page, 'rwb:slider→metric');
    const byKind = (values: number[], kind: 'lexical' | 'fusion') =>
      stats(values.filter((_, i) => moved[i] === kind));
    const kinds = [...new Set(contender.sliders.map((s) => s.kind))];
    const step = {
      results: stats(stepResults),
      metric: stats(stepMetric),
      metricBySliderKind: Object.fromEntries(kinds.map((k) => [k, byKind(stepMetric, k)])),
    };

    // Drag pattern: 8 input events 16 ms apart (a dragged thumb at 60 Hz), fired in the page so
    // the spacing is real; only the last value's answers should paint.
    await page.evaluate(() => performance.clearMeasures());
    for (let b = 0; b < BURSTS; b++) {
      const s = contender.sliders[b % contender.sliders.length]!;
      // A string, not a function: tsx's name helpers do not exist in the page.
      await page.evaluate(
        dragScript(selectorOf(s.path), Math.floor(b / contender.sliders.length) % 2 === 0 ? 1 : -1),
      );
      await waitForCount(page, 'rwb:slider→results', b + 1);
      await waitForCount(page, 'rwb:slider→metric', b + 1);
    }
    const drag = {
      results: stats(await measures(page, 'rwb:slider→results')),
      metric: stats(await measures(page, 'rwb:slider→metric')),
    };
    await page.close();
    return {
      name: contender.name,
      description: contender.description,
      index: contender.index,
      products,
      sliders: contender.sliders,
      querySet: {
        name: 'icecat',
        queries: imported.info.queries,
        ratings: imported.info.ratings,
        metric: 'ndcg@10',
        baseline,
      },
      step,
      drag,
      /** Step pattern: the operations' HTTP round trips (the engine's work plus transport). */
      roundTrip,
      target: {
        p95Ms: TARGET_MS,
        stepResultsP95Met: step.results.p95 <= TARGET_MS,
        dragResultsP95Met: drag.results.p95 <= TARGET_MS,
        stepMetricP95Met: step.metric.p95 <= TARGET_MS,
        dragMetricP95Met: drag.metric.p95 <= TARGET_MS,
      },
    };
  } finally {
    await server.close();
    await ctx.close();
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(icecatDir(), 'judgments.csv')))
    throw new Error(`Icecat data not found in ${icecatDir()} (set RWB_ICECAT_DIR)`);
  const unknown = CONTENDERS.filter((name) => !CONTENDER_TABLE.some((c) => c.name === name));
  if (unknown.length > 0)
    throw new Error(
      `--contenders: unknown ${unknown.join(', ')} (known: ${CONTENDER_TABLE.map((c) => c.name).join(', ')})`,
    );
  const models = path.join(rwbHome(), 'models');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-slider-'));
  const rendererDir = path.join(tmp, 'renderer');
  await buildRenderer(() => undefined, rendererDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  try {
    const contenders = [];
    for (const contender of CONTENDER_TABLE.filter((c) => CONTENDERS.includes(c.name))) {
      process.stderr.write(`${contender.name}: ${contender.description}\n`);
      contenders.push(await runContender(contender, browser, rendererDir, tmp, models));
    }
    const result = {
      benchmark: 'slider-latency',
      at: new Date().toISOString(),
      environment: {
        cpus: os.cpus().length,
        loadavg: os.loadavg(),
        node: process.version,
        chromium: browser.version(),
        es: ES_URL,
      },
      tenant: ICECAT_TENANT,
      liveResults: { query: 'laptop', size: 10 },
      debounceMs: 30,
      moves: MOVES,
      bursts: BURSTS,
      contenders,
      notes:
        'Durations run from the slider input event to the animation frame before the repaint that shows the answer; they include the 30 ms debounce, the HTTP round trip to `rwb ui`, the engine (parse + build + ES + fusion) and React rendering. The metric is the eval runner over the whole query set per move (one _msearch of the sub-searches not answered by the session response cache). Every slider is moved once up and down before measuring.',
    };
    const out = path.join(repoRoot(), 'bench', 'results', 'slider-latency.json');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    const row = (name: string, label: string, s: ReturnType<typeof stats>) =>
      `| ${name} | ${label} | ${s.p50} | ${s.p95} | ${s.max} |`;
    console.log('| contender | repaint | p50 ms | p95 ms | max ms |');
    console.log('| --- | --- | ---: | ---: | ---: |');
    for (const c of contenders) {
      console.log(row(c.name, 'results, step', c.step.results));
      console.log(row(c.name, 'results, drag', c.drag.results));
      console.log(row(c.name, 'metric, step', c.step.metric));
      for (const [kind, s] of Object.entries(c.step.metricBySliderKind))
        console.log(row(c.name, `metric, step (${kind} sliders)`, s));
      console.log(row(c.name, 'metric, drag', c.drag.metric));
      for (const [operation, s] of Object.entries(c.roundTrip))
        console.log(row(c.name, `${operation} round trip (step)`, s));
    }
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

await main();
