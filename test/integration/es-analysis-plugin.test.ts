/**
 * The rwb-analysis plugin live, on the test Elasticsearch (scripts/test.sh builds and installs it
 * with `rwb es fetch` before `rwb es start`): English stemming, Chinese words, detection choosing
 * them, and an index built with core analysis only (a node without the plugin) still working and
 * saying what it lacks. Under CI=true a cluster without the plugin fails this file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiContext, invoke } from '../../engine/api/index.ts';
import { coreAnalysis, detectAnalysis } from '../../engine/es/analysis.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());
const missingPlugin = missingEs
  ? null
  : await requireComponent(
      `the rwb-analysis plugin on ${esUrl()} (rwb es fetch builds it; restart the node)`,
      async () => {
        const res = await fetch(`${esUrl()}/_analyze`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ analyzer: 'rwb_english', text: 'x' }),
        });
        if (!res.ok) throw new Error(`_analyze with rwb_english → ${res.status}`);
      },
    );

const suffix = randomUUID().slice(0, 8);
const STEMMED = `rwb_test_analysis_plugin_${suffix}`;
const CORE = `rwb_test_analysis_core_${suffix}`;

const DOCS = [
  { tenant_id: 't', spu_id: 'battery', title_en: 'Lithium battery pack', title_zh: '锂电池' },
  { tenant_id: 't', spu_id: 'earbuds', title_en: 'Wireless earbuds', title_zh: '蓝牙耳机 降噪' },
  // Every character of 蓝牙耳机, none of its words: a character analyzer matches it, words do not.
  { tenant_id: 't', spu_id: 'decoy', title_en: 'Toothbrush set', title_zh: '牙刷 蓝色 机器 耳环' },
];

describeWith([missingEs, missingPlugin], 'rwb-analysis plugin on a real Elasticsearch', () => {
  let client: Client;

  async function tokens(body: { analyzer?: string; index?: string; field?: string }, text: string) {
    const res = await client.indices.analyze({ ...body, text });
    return (res.tokens ?? []).map((t) => t.token);
  }

  async function matching(index: string, field: string, query: string, operator: 'or' | 'and') {
    const res = await client.search({
      index,
      query: { match: { [field]: { query, operator } } },
      _source: false,
    });
    return res.hits.hits.map((h) => h._id).sort();
  }

  beforeAll(async () => {
    client = createEsClient({ url: esUrl(), requestTimeoutMs: 60_000 });
    // The first jieba call loads its dictionary (seconds on two cores): do it before the tests.
    await tokens({ analyzer: 'rwb_jieba' }, '预热');
    await ensureIndex(client, { index: STEMMED, textDims: 4, imageDims: null, url: esUrl() });
    await ensureIndex(client, {
      index: CORE,
      textDims: 4,
      imageDims: null,
      analysis: coreAnalysis(),
    });
    for (const index of [STEMMED, CORE]) {
      await client.bulk({
        refresh: 'wait_for',
        operations: DOCS.flatMap((doc) => [
          { index: { _index: index, _id: `${doc.tenant_id}:${doc.spu_id}` } },
          doc,
        ]),
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const index of [STEMMED, CORE]) await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('stems English: batteries and battery are one term (Porter, as ES `english`)', async () => {
    expect(await tokens({ analyzer: 'rwb_english' }, "The batteries of John's laptops")).toEqual([
      'batteri',
      'john',
      'laptop',
    ]);
    expect(await tokens({ analyzer: 'rwb_english' }, 'battery')).toEqual(['batteri']);
    expect(await tokens({ analyzer: 'rwb_english_light' }, 'batteries charging')).toEqual([
      'battery',
      'charge',
    ]);
  });

  it('segments Chinese into words: 蓝牙耳机 → 蓝牙 / 耳机 (standard: four characters)', async () => {
    expect(await tokens({ analyzer: 'rwb_jieba' }, '蓝牙耳机')).toEqual(['蓝牙', '耳机']);
    expect(await tokens({ analyzer: 'standard' }, '蓝牙耳机')).toEqual(['蓝', '牙', '耳', '机']);
    // Latin brand and model names in Chinese text are kept and lowercased, punctuation dropped.
    expect(await tokens({ analyzer: 'rwb_jieba' }, 'Apple 手机壳，蓝牙5.0')).toEqual([
      'apple',
      '手机',
      '壳',
      '蓝牙',
      '5.0',
    ]);
    const res = await client.indices.analyze({ analyzer: 'rwb_jieba', text: '降噪耳机' });
    expect(res.tokens?.map((t) => [t.token, t.start_offset, t.end_offset, t.position])).toEqual([
      ['降噪', 0, 2, 0],
      ['耳机', 2, 4, 1],
    ]);
  });

  it('detection picks the plugin on this node, and the index _meta records it', async () => {
    const choice = await detectAnalysis(client, {}, esUrl());
    expect(choice.available.rwb_english).toBe(true);
    expect(choice.available.rwb_jieba).toBe(true);
    // A cluster with its own english / Chinese plugins keeps them (unit-tested); this one has ours.
    if (!choice.available.english) expect(choice.en.family).toBe('rwb_english');
    if (!['hanlp_index', 'smartcn', 'ik_max_word'].some((a) => choice.available[a]))
      expect(choice.zh.family).toBe('rwb_jieba');
    const mapping = Object.values(await client.indices.getMapping({ index: STEMMED }))[0]!.mappings;
    // (ES leaves search_analyzer out of the mapping when it equals analyzer.)
    expect(mapping.properties!.title_en).toMatchObject({ analyzer: choice.en.indexAnalyzer });
    expect(mapping.properties!.title_zh).toMatchObject({ analyzer: choice.zh.indexAnalyzer });
    expect(mapping._meta).toMatchObject({
      analysis: { en: choice.en, zh: choice.zh },
    });
  });

  it('`batteries` finds the battery product in the index the engine creates', async () => {
    expect(await matching(STEMMED, 'title_en', 'batteries', 'or')).toEqual(['t:battery']);
    // The same query on an index made with core analysis only: no stemming, no match.
    expect(await matching(CORE, 'title_en', 'batteries', 'or')).toEqual([]);
    expect(await matching(CORE, 'title_en', 'battery', 'or')).toEqual(['t:battery']);
  });

  it('`蓝牙耳机` is indexed and matched as words; characters also match the decoy', async () => {
    expect(await tokens({ index: STEMMED, field: 'title_zh' }, '蓝牙耳机')).toEqual([
      '蓝牙',
      '耳机',
    ]);
    expect(await tokens({ index: CORE, field: 'title_zh' }, '蓝牙耳机')).toEqual([
      '蓝',
      '牙',
      '耳',
      '机',
    ]);
    expect(await matching(STEMMED, 'title_zh', '蓝牙耳机', 'and')).toEqual(['t:earbuds']);
    expect(await matching(CORE, 'title_zh', '蓝牙耳机', 'and')).toEqual(['t:decoy', 't:earbuds']);
  });

  it('an index without the plugin still works and index.info says what it lacks', async () => {
    const home = process.env.RWB_HOME;
    process.env.RWB_HOME = await mkdtemp(path.join(os.tmpdir(), 'rwb-analysis-it-'));
    const ctx = createApiContext({
      mode: 'test',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: CORE,
    });
    try {
      const core = await invoke('index.info', { index: CORE }, ctx);
      expect(core.analysis).toMatchObject({
        zh: { index: 'standard' },
        en: { index: 'standard' },
        source: 'meta',
      });
      expect(core.analysis.notes).toHaveLength(2);
      expect(core.analysis.notes.join(' ')).toMatch(/en without stemming.*zh as single characters/);
      const stemmed = await invoke('index.info', { index: STEMMED }, ctx);
      expect(stemmed.analysis.en).toEqual({ index: 'rwb_english', search: 'rwb_english' });
      expect(stemmed.analysis.notes).toEqual([]);
      // The existing index keeps its analysis: ensureIndex says so in its summary.
      const again = await ensureIndex(client, { index: CORE, textDims: 4, imageDims: null });
      expect(again.analysisSummary).toMatch(/^zh: standard, en: standard, .*\(en without stemming/);
    } finally {
      await ctx.close();
      await rm(process.env.RWB_HOME, { recursive: true, force: true });
      if (home === undefined) delete process.env.RWB_HOME;
      else process.env.RWB_HOME = home;
    }
  });
});
