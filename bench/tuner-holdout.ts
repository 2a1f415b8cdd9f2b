/**
 * Does tuning hold on queries it did not see? For three base configs over the Icecat dev
 * judgments — the deliberately weak example, today's hybrid example and the best measured config
 * (bench/icecat-ndcg.ts) — `rwb tune`'s procedure with nested cross-validation: each outer fold
 * runs the whole tuning on the other folds' queries and its chosen config is scored on the held-out
 * fold; the pooled held-out gain is reported with its 95% bootstrap interval and a paired
 * randomization test, next to the in-sample gain the tuner would otherwise show. Each base runs
 * with the one-standard-error selection (the default) and with plain best-mean selection, to
 * justify the default by measurement. Writes bench/results/tuner-holdout.json and .md.
 *
 *   npx tsx bench/tuner-holdout.ts [--es URL] [--index rwb_bench_eval_icecat] [--trials 120] [--folds 5]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { queriesWithNoPositiveRating } from '../engine/eval/judgments.ts';
import { createEvalDependencies } from '../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../engine/eval/runner-embedders.ts';
import { parseParameterSpaceText } from '../engine/eval/tuner/space.ts';
import { tune, type SelectionRule } from '../engine/eval/tuner/tuner.ts';
import { createTuneEvaluation } from '../engine/eval/tuning/tune-runner.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureEnglishVariant, ensureIcecatIndex } from './eval-icecat-index.ts';
import { machineInfo } from './search-latency.ts';

const args = benchArgs(process.argv.slice(2));
const TRIALS = Number(args.get('--trials') ?? 120);
const FOLDS = Number(args.get('--folds') ?? 5);
await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 600_000 });
const englishIndex = await ensureEnglishVariant(client, args.index, 'rwb_english');
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const leftOut = new Set(queriesWithNoPositiveRating(querySet));
const queries = querySet.queries.map((q) => q.text).filter((q) => !leftOut.has(q));
const embedders = createQueryEmbedders();
const example = (...parts: string[]) => path.join(repoRoot(), 'examples', ...parts);

const BASES = [
  {
    name: 'weak example',
    config: 'icecat-weak.json',
    space: 'icecat-boosts.yaml',
    index: args.index,
  },
  {
    name: 'hybrid example',
    config: 'icecat-hybrid.json',
    space: 'icecat-hybrid.yaml',
    index: args.index,
  },
  {
    name: 'best measured (hybrid rrf, English analysis)',
    config: 'icecat-hybrid-rrf.json',
    space: 'icecat-levers.yaml',
    index: englishIndex,
  },
];
const RULES: SelectionRule[] = ['one-se', 'best'];

const rows = [];
for (const base of BASES) {
  const baseConfig = await loadSearchConfig(example('configs', base.config));
  const space = parseParameterSpaceText(await fs.readFile(example('spaces', base.space), 'utf8'));
  const objective = createTuneEvaluation(client, {
    index: base.index,
    tenantId: 'icecat',
    querySet,
    baseConfig,
    space,
    metric: 'ndcg@10',
    dependencies: createEvalDependencies(client, base.index, { embedders }),
  });
  for (const selection of RULES) {
    const started = performance.now();
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate: objective.evaluate,
      requestKey: objective.requestKey,
      metric: 'ndcg@10',
      trials: TRIALS,
      folds: FOLDS,
      seed: 0,
      selection,
      sensitivityPoints: 0,
    });
    const outer = report.cv.outer!;
    const row = {
      base: base.name,
      config: `examples/configs/${base.config}`,
      space: `examples/spaces/${base.space}`,
      index: base.index,
      selection,
      trials: report.trialsRun,
      baseAll: report.baseScore,
      tunedAll: report.bestScore,
      inSampleGain: report.bestScore - report.baseScore,
      outer,
      verdict: outer.reliable ? 'reliable gain (proposed)' : 'no reliable gain (not proposed)',
      bestParams: report.bestParams,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    rows.push(row);
    console.error(
      `${base.name} [${selection}]: in-sample ${row.inSampleGain.toFixed(4)}, outer ${outer.meanGain.toFixed(4)} [${outer.ci.lower.toFixed(4)}, ${outer.ci.upper.toFixed(4)}] p=${outer.pValue.toFixed(4)} (${row.seconds} s)`,
    );
  }
}
await embedders.close();
await client.close();

const f = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
const md = [
  `Icecat dev judgments, ${queries.length} queries with a rating above 0; ${TRIALS} trials, ${FOLDS} outer folds (+ the final run), seed 0.`,
  "Outer gain: nested CV — each fold's tuning never saw its held-out queries; 95% bootstrap interval, paired randomization test.",
  '',
  '| base | selection | base nDCG@10 | in-sample gain | outer gain | 95% CI | p | verdict |',
  '| --- | --- | ---: | ---: | ---: | --- | ---: | --- |',
  ...rows.map(
    (r) =>
      `| ${r.base} | ${r.selection} | ${r.baseAll.toFixed(4)} | ${f(r.inSampleGain)} | ${f(r.outer.meanGain)} | [${f(r.outer.ci.lower)}, ${f(r.outer.ci.upper)}] | ${r.outer.pValue.toFixed(4)} | ${r.verdict} |`,
  ),
].join('\n');
console.log(md);
const result = {
  benchmark: 'tuner-holdout',
  date: new Date().toISOString(),
  machine: machineInfo(),
  es: args.es,
  queries: queries.length,
  trials: TRIALS,
  folds: FOLDS,
  rows,
};
const dir = path.join(repoRoot(), 'bench', 'results');
await fs.writeFile(path.join(dir, 'tuner-holdout.json'), `${JSON.stringify(result, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'tuner-holdout.md'), `${md}\n`);
console.log('wrote bench/results/tuner-holdout.json and .md');
