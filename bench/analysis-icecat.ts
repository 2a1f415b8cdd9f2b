/**
 * English analysis on Icecat: the same configs over the same documents and vectors, indexed once
 * with `standard` (what the embedded node had) and once per English analyzer of the rwb-analysis
 * plugin (engine/es/analysis-plugin.ts): `rwb_english` (Porter, = ES `english`) and
 * `rwb_english_light` (KStem). The stemmed indexes are `_reindex` copies of the standard one (the
 * title vectors travel in _source: nothing is re-embedded) whose *_en fields use the new analyzer.
 * nDCG@10 / P@10 / recall@10 over the 81 dev queries with a positive rating, with a paired
 * randomization test per row against `standard`. Needs a cluster with the plugin (rwb es start).
 * With `--hunspell-es URL`, one more row: the same chain with the core `hunspell` filter (the
 * `dictionary-en` npm package's en_US files in that node's config/hunspell/en_US/) instead of a
 * stemmer, on that node (which needs the plugin too, for the possessive and stop filters).
 * Writes bench/results/analysis-icecat.json and .md.
 *
 *   npx tsx bench/analysis-icecat.ts [--es URL] [--index rwb_bench_eval_icecat] [--hunspell-es URL]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { runEvaluation } from '../engine/eval/runner.ts';
import { createEvalDependencies } from '../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../engine/eval/runner-embedders.ts';
import { pairedRandomizationTest } from '../engine/eval/stats-significance.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureEnglishVariant, ensureIcecatIndex } from './eval-icecat-index.ts';

const args = benchArgs(process.argv.slice(2));
const hunspellEs = args.get('--hunspell-es');
const CONFIGS = ['bm25-title', 'multifield', 'hybrid'] as const;
const METRICS = ['ndcg@10', 'p@10', 'recall@10'] as const;

await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 600_000 });

/** An English analysis to measure: an analyzer by name, or a custom one defined in the index. */
interface Variant {
  analyzer: string;
  es: Client;
  settings?: estypes.IndicesIndexSettingsAnalysis;
}
const VARIANTS: Variant[] = [
  { analyzer: 'standard', es: client },
  { analyzer: 'rwb_english', es: client },
  { analyzer: 'rwb_english_light', es: client },
];
if (hunspellEs) {
  VARIANTS.push({
    analyzer: 'hunspell_en',
    es: createEsClient({ url: hunspellEs, requestTimeoutMs: 600_000 }),
    settings: {
      analyzer: {
        hunspell_en: {
          type: 'custom',
          tokenizer: 'standard',
          filter: ['rwb_english_possessive', 'lowercase', 'rwb_english_stop', 'en_us_hunspell'],
        },
      },
      // locale, lang and language are aliases; the client's type asks for all three.
      filter: {
        en_us_hunspell: {
          type: 'hunspell',
          locale: 'en_US',
          lang: 'en_US',
          language: 'en_US',
          dedup: true,
        },
      },
    },
  });
}

const indexes = new Map<string, string>();
for (const variant of VARIANTS)
  indexes.set(
    variant.analyzer,
    await ensureEnglishVariant(client, args.index, variant.analyzer, {
      target: variant.es,
      ...(variant.settings && { settings: variant.settings }),
    }),
  );

const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const configs = await Promise.all(
  CONFIGS.map(async (name) => ({
    name,
    config: await loadSearchConfig(
      path.join(repoRoot(), 'examples', 'configs', `icecat-${name}.json`),
    ),
  })),
);
const embedders = createQueryEmbedders();
type Scores = Map<string, number>;
const perQuery = new Map<string, Scores>();
const rows: Array<Record<string, unknown>> = [];
for (const { analyzer, es } of VARIANTS) {
  const index = indexes.get(analyzer)!;
  const out = await runEvaluation(es, {
    index,
    tenantId: 'icecat',
    querySet,
    configs: configs.map(({ name, config }) => ({ revisionId: name, config })),
    k: 10,
    metrics: [...METRICS],
    dependencies: createEvalDependencies(es, index, { embedders }),
    facets: false,
  });
  for (const [i, { name }] of configs.entries()) {
    const result = out.results[i]!;
    const scores: Scores = new Map(
      result.queries
        .filter((q) => q.excluded === null && q.scores['ndcg@10'] !== undefined)
        .map((q) => [q.query, q.scores['ndcg@10']!]),
    );
    perQuery.set(`${name}/${analyzer}`, scores);
    const base = perQuery.get(`${name}/standard`)!;
    const shared = [...scores.keys()].filter((q) => base.has(q));
    const a = shared.map((q) => base.get(q)!);
    const b = shared.map((q) => scores.get(q)!);
    const test = analyzer === 'standard' ? null : pairedRandomizationTest(a, b, { seed: 0 });
    rows.push({
      config: `examples/configs/icecat-${name}.json`,
      analyzer,
      index,
      ndcg10: result.means['ndcg@10'] ?? null,
      p10: result.means['p@10'] ?? null,
      recall10: result.means['recall@10'] ?? null,
      validQueries: result.validQueries,
      vsStandard: test && {
        meanDifference: test.meanDifference,
        pValue: test.pValue,
        wins: shared.filter((q) => scores.get(q)! > base.get(q)! + 1e-9).length,
        losses: shared.filter((q) => scores.get(q)! < base.get(q)! - 1e-9).length,
      },
    });
  }
}
await embedders.close();
for (const es of new Set(VARIANTS.map((v) => v.es))) await es.close();

const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '—');
const md = [
  `Icecat, ${querySet.queries.length} judged queries (means over the ${String(rows[0]?.validQueries)} with a rating above 0), k = 10, ` +
    `same documents and title vectors, English fields analysed by:`,
  '',
  '| config | analyzer | nDCG@10 | P@10 | Recall@10 | Δ nDCG vs standard | wins/losses | p (paired) |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => {
    const vs = r.vsStandard as {
      meanDifference: number;
      pValue: number;
      wins: number;
      losses: number;
    } | null;
    return (
      `| ${String(r.config).replace('examples/configs/', '')} | ${String(r.analyzer)} | ${f(r.ndcg10)} | ${f(r.p10)} | ${f(r.recall10)} | ` +
      (vs
        ? `${vs.meanDifference >= 0 ? '+' : ''}${vs.meanDifference.toFixed(4)} | ${vs.wins}/${vs.losses} | ${vs.pValue.toFixed(3)} |`
        : '— | — | — |')
    );
  }),
].join('\n');
console.log(md);
const result = {
  benchmark: 'analysis-icecat',
  date: new Date().toISOString(),
  es: args.es,
  sourceIndex: args.index,
  queries: querySet.queries.length,
  rows,
};
const dir = path.join(repoRoot(), 'bench', 'results');
await fs.writeFile(path.join(dir, 'analysis-icecat.json'), `${JSON.stringify(result, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'analysis-icecat.md'), `${md}\n`);
console.log(`wrote ${path.join(dir, 'analysis-icecat.json')} and .md`);
