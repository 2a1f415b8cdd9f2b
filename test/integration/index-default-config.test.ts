/**
 * The config the workbench, `rwb search` and `rwb serve` start from for an index
 * (engine/search/index-default-config.ts), on a real Elasticsearch: an English-only catalog gets
 * the levers measured best on Icecat (combined_fields + proximity, English queries, rrf with a
 * small kNN weight when the index has vectors); a catalog with Chinese titles keeps the built-in
 * default. The proposed config searches without error.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import {
  defaultConfigForIndex,
  englishCatalogConfig,
} from '../../engine/search/index-default-config.ts';
import { search } from '../../engine/search/searcher.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

describeWith([missingEs], 'the default config proposed for an index (real Elasticsearch)', () => {
  const index = `rwb_test_default_cfg_${randomUUID().slice(0, 8)}`;
  let client: Client;
  const doc = (id: string, fields: Record<string, unknown>) =>
    client.index({
      index,
      id: `t:${id}`,
      document: { tenant_id: 't', spu_id: id, create_time: '2024-01-01T00:00:00Z', ...fields },
      refresh: true,
    });

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, url: esUrl() });
    await doc('1', { title_en: 'USB-C charger 65 W', brief_en: 'fast charger for laptops' });
    await doc('2', { title_en: 'Laptop battery', brief_en: 'replacement battery, 6 cells' });
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('proposes combined_fields + proximity in English for an English-only catalog', async () => {
    const proposed = await defaultConfigForIndex(client, index);
    expect(proposed).toMatchObject({ profile: 'english', indexRead: true, textModel: null });
    const { config } = proposed;
    expect(config.query).toMatchObject({ supportedLanguages: ['en'], defaultLanguage: 'en' });
    expect(config.query.translation.provider).toBe('none');
    const domain = config.domains.find((d) => d.name === 'default')!;
    expect(domain.type).toBe('combined_fields');
    expect(domain.proximity).toMatchObject({ enabled: true, slop: 2, boost: 1 });
    expect(domain.fields.every((f) => f.field.endsWith('_en') && f.boost >= 1)).toBe(true);
    // No vectors in this index: no fusion to choose.
    expect(config.ranking.fusion.method).toBe('sum');
    const answer = await search(client, index, { tenantId: 't', query: 'laptop charger' }, config, {
      languageDetector: null,
      url: esUrl(),
    });
    expect(answer.results.map((r) => r.spu_id).sort()).toEqual(['1', '2']);
  });

  it('with title vectors, fuses by reciprocal rank with a small kNN weight (a valid config)', () => {
    const base = defaultSearchConfig();
    base.query.textEmbedding = {
      ...base.query.textEmbedding,
      enabled: true,
      model: 'bge-small-en-v15-q',
    };
    const config = parseSearchConfig(englishCatalogConfig(base, true));
    expect(config.ranking.fusion).toMatchObject({ method: 'rrf', rankConstant: 60 });
    expect(config.ranking.expression).toBe('bm25() + 0.05*text_embedding_relevance()');
    expect(base.ranking.fusion.method).toBe('sum');
  });

  it('keeps the built-in default once the catalog has Chinese titles', async () => {
    await doc('3', { title_zh: '蓝牙耳机', title_en: 'Bluetooth headphones' });
    const proposed = await defaultConfigForIndex(client, index);
    expect(proposed.profile).toBe('default');
    expect(proposed.config.domains).toEqual(defaultSearchConfig().domains);
  });

  it('keeps the built-in default for an index it cannot read', async () => {
    const proposed = await defaultConfigForIndex(client, `${index}_missing`);
    expect(proposed).toMatchObject({ indexRead: false, profile: 'default' });
  });
});
