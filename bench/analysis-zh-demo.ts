/**
 * Chinese words vs characters on the demo catalog (engine/catalog/demo-catalog.ts, the default
 * 3 tenants × 500 SPUs). The Chinese titles are indexed three times, one field analysed by
 * `standard` (single characters, what the embedded node had), `rwb_smartcn` and `rwb_jieba` (the
 * rwb-analysis plugin), and searched with a `match` query for every Chinese word the generator
 * builds titles from (product nouns, selling points, category names: ~150 queries).
 * Ground truth, known without judging: a title is relevant when it contains the query as a
 * substring. Per analyzer and operator (or / and): P@10, and precision and recall of the whole
 * matched set, plus the tokens of a few typical queries. Needs a cluster with the plugin.
 * Writes bench/results/analysis-zh-demo.json and .md.
 *
 *   npx tsx bench/analysis-zh-demo.ts [--es URL]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateDemoCatalog } from '../engine/catalog/demo-catalog.ts';
import { LEAVES } from '../engine/catalog/demo-data.ts';
import { createEsClient } from '../engine/es/client.ts';
import { repoRoot } from '../engine/paths.ts';
import { benchArgs } from './eval-icecat-index.ts';

const args = benchArgs(process.argv.slice(2));
const ANALYZERS = ['standard', 'rwb_smartcn', 'rwb_jieba'] as const;
const OPERATORS = ['or', 'and'] as const;
const SHOWN = [
  '蓝牙耳机',
  '手机壳',
  '充电宝',
  '降噪耳机',
  '机械键盘',
  '保温杯',
  '连衣裙',
  '瑜伽垫',
];
const client = createEsClient({ url: args.es, requestTimeoutMs: 120_000 });

const titles = [...generateDemoCatalog()].map((p) => ({
  id: `${p.spu.tenant_id}:${p.spu.id}`,
  title: p.spu.title ?? '',
}));
const queries = [
  ...new Set(
    LEAVES.flatMap((leaf) => [
      ...leaf.nouns.map((n) => n.zh),
      ...leaf.features.map((f) => f.zh),
      leaf.path[2].zh,
    ]).filter((q) => /\p{Script=Han}/u.test(q)),
  ),
].sort();

async function tokens(analyzer: string, text: string): Promise<string[]> {
  const res = await client.indices.analyze({ analyzer, text });
  return (res.tokens ?? []).map((t) => t.token);
}

const results: Array<Record<string, unknown>> = [];
const shown: Record<string, Record<string, string[]>> = {};
for (const analyzer of ANALYZERS) {
  const index = `rwb_bench_zh_${analyzer}`;
  await client.indices.delete({ index, ignore_unavailable: true });
  await client.indices.create({
    index,
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: { properties: { title: { type: 'text', analyzer } } },
  });
  await client.helpers.bulk({
    datasource: titles,
    onDocument: (doc) => ({ index: { _index: index, _id: doc.id } }),
    refreshOnCompletion: index,
  });
  shown[analyzer] = Object.fromEntries(
    await Promise.all(SHOWN.map(async (q) => [q, await tokens(analyzer, q)] as const)),
  );
  for (const operator of OPERATORS) {
    let p10 = 0;
    let precision = 0;
    let recall = 0;
    let matchedTotal = 0;
    for (const q of queries) {
      const relevant = new Set(titles.filter((t) => t.title.includes(q)).map((t) => t.id));
      const res = await client.search({
        index,
        size: titles.length,
        track_total_hits: true,
        _source: false,
        query: { match: { title: { query: q, operator } } },
      });
      const ids = res.hits.hits.map((h) => h._id!);
      const hitsRelevant = ids.filter((id) => relevant.has(id)).length;
      p10 += ids.slice(0, 10).filter((id) => relevant.has(id)).length / 10;
      precision += ids.length === 0 ? 0 : hitsRelevant / ids.length;
      recall += relevant.size === 0 ? 1 : hitsRelevant / relevant.size;
      matchedTotal += ids.length;
    }
    const n = queries.length;
    results.push({
      analyzer,
      operator,
      'p@10': p10 / n,
      matchedPrecision: precision / n,
      matchedRecall: recall / n,
      meanMatched: matchedTotal / n,
    });
  }
  await client.indices.delete({ index });
}
await client.close();

const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v));
const md = [
  `Demo catalog: ${titles.length} Chinese titles, ${queries.length} Chinese queries (the generator's nouns, ` +
    'selling points and category names); relevant = the title contains the query; `match` query on the title.',
  '',
  '| analyzer | operator | P@10 | precision of matched set | recall of matched set | docs matched per query |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${f(r.analyzer)} | ${f(r.operator)} | ${f(r['p@10'])} | ${f(r.matchedPrecision)} | ${f(r.matchedRecall)} | ${(r.meanMatched as number).toFixed(0)} |`,
  ),
  '',
  '| query | ' + ANALYZERS.join(' | ') + ' |',
  '| --- | ' + ANALYZERS.map(() => '---').join(' | ') + ' |',
  ...SHOWN.map((q) => `| ${q} | ${ANALYZERS.map((a) => shown[a]![q]!.join(' / ')).join(' | ')} |`),
].join('\n');
console.log(md);
const dir = path.join(repoRoot(), 'bench', 'results');
const out = {
  benchmark: 'analysis-zh-demo',
  date: new Date().toISOString(),
  es: args.es,
  documents: titles.length,
  queries,
  results,
  tokens: shown,
};
await fs.writeFile(path.join(dir, 'analysis-zh-demo.json'), `${JSON.stringify(out, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'analysis-zh-demo.md'), `${md}\n`);
console.log(`wrote ${path.join(dir, 'analysis-zh-demo.json')} and .md`);
