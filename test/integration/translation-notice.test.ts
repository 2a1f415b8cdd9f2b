/**
 * Issue 17 "translation out of the box", live: on a real index, a tenant whose documents have no
 * English title gets the notice when no translator is configured, a tenant with English titles
 * does not, and a configured DeepL translator silences it. Own fixture index, deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiContext, invoke } from '../../engine/api/index.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { translationNoticeFor } from '../../engine/cli/commands/search.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { englishCoverage } from '../../engine/search/translation-notice.ts';
import { createFixtureIndex, deleteFixtureIndex } from '../e2e/fixtures.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missing = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const index = `rwb_test_translation_notice_${randomUUID().slice(0, 8)}`;
const ZH_ONLY = [
  { spu_id: 'Z01', tenant_id: 'zh-only', title_zh: '蓝牙耳机' },
  { spu_id: 'Z02', tenant_id: 'zh-only', title_zh: '红米 Note 10 Pro 手机' },
];

describeWith([missing], 'no-translator notice on a real index', () => {
  const client = createEsClient({ url: esUrl() });

  beforeAll(async () => {
    await createFixtureIndex(esUrl(), index);
    await client.bulk({
      refresh: 'wait_for',
      operations: ZH_ONLY.flatMap((doc) => [
        { index: { _index: index, _id: `${doc.tenant_id}:${doc.spu_id}` } },
        doc,
      ]),
    });
  });

  afterAll(async () => {
    await deleteFixtureIndex(esUrl(), index);
    await client.close();
  });

  it('counts English titles per tenant in one request', async () => {
    const all = await englishCoverage(client, index);
    expect(all.byTenant.get('zh-only')).toEqual({ total: 2, withEnglish: 0 });
    const one = all.byTenant.get('1');
    expect(one?.total).toBeGreaterThan(0);
    expect(one?.withEnglish).toBeGreaterThan(0);
    const sum = [...all.byTenant.values()].reduce((n, c) => n + c.withEnglish, 0);
    expect(all.withEnglish).toBe(sum);
    expect(await englishCoverage(client, index, { tenantId: 'zh-only' })).toMatchObject({ total: 2, withEnglish: 0 });
  });

  it('notices a tenant without English titles only when there is no translator', async () => {
    const glossary = defaultSearchConfig().query.translation;
    expect(glossary.provider).toBe('glossary');
    const notice = await translationNoticeFor(client, index, 'zh-only', glossary, undefined);
    expect(notice).toContain('no document of tenant zh-only has an English title');
    expect(await translationNoticeFor(client, index, '1', glossary, undefined)).toBeNull();
    const deepl = { ...glossary, provider: 'deepl' as const };
    expect(await translationNoticeFor(client, index, 'zh-only', deepl, 'key:fx')).toBeNull();
    expect(await translationNoticeFor(client, index, 'zh-only', deepl, undefined)).toContain('RWB_DEEPL_API_KEY is not set');
  });

  it('index.info names the tenants without English titles and says so for the working (glossary) config', async () => {
    // The working config lives under RWB_HOME: a fresh one is the default (glossary, no DeepL).
    const home = process.env.RWB_HOME;
    const deepl = process.env.RWB_DEEPL_API_KEY;
    process.env.RWB_HOME = await mkdtemp(path.join(os.tmpdir(), 'rwb-notice-it-'));
    delete process.env.RWB_DEEPL_API_KEY;
    const ctx = createApiContext({ mode: 'test', es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 }, defaultIndex: index });
    try {
      const info = await invoke('index.info', { index }, ctx);
      expect(info.translation).toMatchObject({ translatorConfigured: false, tenantsWithoutEnglish: ['zh-only'] });
      expect(info.translation?.englishDocs).toBeGreaterThan(0);
      expect(info.translation?.notice).toContain('no document of tenant zh-only has an English title');
    } finally {
      await ctx.close();
      if (home === undefined) delete process.env.RWB_HOME;
      else process.env.RWB_HOME = home;
      if (deepl !== undefined) process.env.RWB_DEEPL_API_KEY = deepl;
    }
  });
});
