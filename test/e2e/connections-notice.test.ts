/**
 * Issue 17 item 7 in the workbench: the Connections screen says when the working config has no
 * translator and some tenants have no English titles, naming exactly those tenants (checked
 * against per-tenant `_count`s taken from ES here), and says nothing when DeepL has a key or
 * when every tenant has English titles. A glossary is not a translator: it only covers its own
 * terms (docs/workbench.md). Browser mode in Debian's Chromium, real engine, real ES.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import {
  chromiumAvailable,
  countDocs,
  deleteFixtureIndex,
  E2E_INDEX,
  openBrowserWorkbench,
  updateTenantDocs,
  type BrowserWorkbench,
} from './fixtures.ts';
import { ingestDemoCatalog } from './workbench-setup.ts';

const INDEX = `${E2E_INDEX}_notice_${randomUUID().slice(0, 8)}`;
/**
 * The demo catalog's every third tenant is Chinese only (no `title_en`): here zh-a and zh-b,
 * beside four bilingual tenants.
 */
const TENANTS = ['1', '2', 'zh-a', '3', '4', 'zh-b'];
const SPUS_PER_TENANT = 4;
const DEEPL_KEY = 'e2e-not-a-real-key:fx';

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('Chromium', chromiumAvailable),
];

describeWith(missing, 'Connections: the no-translator notice (browser mode)', () => {
  let tmp: string;
  let ctx: ApiContext;
  let wb: BrowserWorkbench;
  const savedKey = process.env.RWB_DEEPL_API_KEY;

  /** Tenants with documents but no `title_en` in any of them: a `_count` pair per tenant. */
  async function tenantsWithoutEnglish(): Promise<string[]> {
    const client = new Client({ node: esUrl() });
    try {
      const without: string[] = [];
      for (const tenant of TENANTS) {
        const all = await countDocs(esUrl(), INDEX, tenant);
        const { count: english } = await client.count({
          index: INDEX,
          query: {
            bool: { filter: [{ term: { tenant_id: tenant } }, { exists: { field: 'title_en' } }] },
          },
        });
        if (all > 0 && english === 0) without.push(tenant);
      }
      return without.sort();
    } finally {
      await client.close();
    }
  }

  /** A full page load of Connections, once the index card shows every tenant. */
  async function loadConnections(): Promise<void> {
    await wb.page.goto('about:blank');
    await wb.open('connections');
    for (const tenant of TENANTS) await wb.page.getByTestId(`tenant-row-${tenant}`).waitFor();
    expect(await wb.page.getByTestId('index-doc-count').textContent()).toBe(
      String(await countDocs(esUrl(), INDEX)),
    );
  }

  /** The notice's text, or null when the card shows none. */
  async function notice(): Promise<string | null> {
    const note = wb.page.getByTestId('translation-notice');
    return (await note.count()) === 0 ? null : await note.textContent();
  }

  /** The tenants the notice names ("… no document of tenant(s) a, b has an English title …"). */
  function namedTenants(text: string): string[] {
    const match = /no document of tenants? (.+?) has an English title/.exec(text);
    expect(match, text).not.toBeNull();
    return match![1]!.split(', ').sort();
  }

  async function setTranslation(translation: Record<string, unknown>): Promise<void> {
    const { config } = await invoke('config.get', undefined, ctx);
    const query = config.query as Record<string, unknown>;
    await invoke('config.set', { config: { ...config, query: { ...query, translation } } }, ctx);
  }

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-e2e-notice-'));
    process.env.RWB_HOME = path.join(tmp, 'home');
    delete process.env.RWB_DEEPL_API_KEY;
    await deleteFixtureIndex(esUrl(), INDEX);
    const indexed = await ingestDemoCatalog(esUrl(), tmp, {
      index: INDEX,
      tenants: TENANTS,
      spusPerTenant: SPUS_PER_TENANT,
    });
    expect(indexed).toBe(TENANTS.length * SPUS_PER_TENANT);
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: INDEX,
    });
    wb = await openBrowserWorkbench(ctx, tmp);
  });

  afterAll(async () => {
    if (savedKey === undefined) delete process.env.RWB_DEEPL_API_KEY;
    else process.env.RWB_DEEPL_API_KEY = savedKey;
    await wb?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), INDEX);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('names exactly the tenants without English titles when there is no translator', async () => {
    expect(await tenantsWithoutEnglish()).toEqual(['zh-a', 'zh-b']);
    // The built-in working config: provider glossary, empty glossary, no DeepL key.
    await loadConnections();
    const text = await notice();
    expect(text).toContain('No translator: only the glossary translates');
    expect(namedTenants(text!)).toEqual(await tenantsWithoutEnglish());
    expect(await wb.page.getByTestId('translation-notice').getAttribute('role')).toBe('status');
  });

  it('keeps the notice with a glossary that has entries (it covers only its own terms)', async () => {
    await setTranslation({
      provider: 'glossary',
      glossary: [
        { zh: '耳机', en: 'headphones' },
        { zh: '保温杯', en: 'vacuum bottle' },
      ],
    });
    await loadConnections();
    const text = await notice();
    expect(text).toContain('only the glossary translates');
    expect(namedTenants(text!)).toEqual(['zh-a', 'zh-b']);
  });

  it('says nothing when DeepL has a key; names the missing key when it has none', async () => {
    await setTranslation({ provider: 'deepl' });
    process.env.RWB_DEEPL_API_KEY = DEEPL_KEY;
    try {
      await loadConnections();
      expect(await notice()).toBeNull();
      // Not a failed count hiding the notice: the engine saw a translator.
      const info = await invoke('index.info', undefined, ctx);
      expect(info.translation).toMatchObject({
        translatorConfigured: true,
        tenantsWithoutEnglish: ['zh-a', 'zh-b'],
      });
      expect(await wb.page.getByTestId('secret-deeplApiKey').textContent()).toContain(
        'set (env RWB_DEEPL_API_KEY)',
      );
    } finally {
      delete process.env.RWB_DEEPL_API_KEY;
    }
    await loadConnections();
    const text = await notice();
    expect(text).toContain('RWB_DEEPL_API_KEY is not set');
    expect(namedTenants(text!)).toEqual(['zh-a', 'zh-b']);
  });

  it('drops a tenant from the notice once it has English titles, and the notice with the last', async () => {
    await invoke('config.set', { reset: true }, ctx);
    const english = { title_en: 'Wireless earphones' };
    expect(await updateTenantDocs(esUrl(), INDEX, 'zh-a', english)).toBe(SPUS_PER_TENANT);
    expect(await tenantsWithoutEnglish()).toEqual(['zh-b']);
    await loadConnections();
    const text = await notice();
    expect(text).toContain('no document of tenant zh-b has an English title');
    expect(namedTenants(text!)).toEqual(['zh-b']);

    expect(await updateTenantDocs(esUrl(), INDEX, 'zh-b', english)).toBe(SPUS_PER_TENANT);
    expect(await tenantsWithoutEnglish()).toEqual([]);
    await loadConnections();
    expect(await notice()).toBeNull();
    const info = await invoke('index.info', undefined, ctx);
    expect(info.translation).toMatchObject({
      translatorConfigured: false,
      tenantsWithoutEnglish: [],
    });
    expect(wb.pageErrors).toEqual([]);
  });
});
