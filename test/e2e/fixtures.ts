/**
 * A small bilingual products index for the browser-mode tests, in its own index so it never
 * touches anyone's `search_products`. Written with the ES client; recreated on every run.
 * Also: the workbench served in browser mode and opened in Debian's Chromium (openBrowserWorkbench).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ApiContext } from '../../engine/api/context.ts';
import { buildRenderer } from '../../engine/cli/commands/app.ts';
import { startHttpServer } from '../../engine/http/server.ts';

export const E2E_INDEX = process.env.RWB_E2E_INDEX ?? 'rwb_e2e_products';

interface FixtureProduct {
  tenant_id: string;
  spu_id: string;
  title_zh: string;
  title_en: string;
  vendor_zh: string;
  vendor_en: string;
  category_path_zh: string;
  category_path_en: string;
  category_name_zh: string;
  category_name_en: string;
  brief_zh: string;
  brief_en: string;
  min_price: number;
  max_price: number;
}

export const FIXTURE_PRODUCTS: FixtureProduct[] = [
  p(
    '1',
    '1001',
    '无线蓝牙降噪耳机',
    'Wireless Bluetooth Noise-Cancelling Headphones',
    '声海',
    'SoundSea',
    '电子产品/音频设备/耳机',
    'Electronics/Audio/Headphones',
    199,
    259,
  ),
  p(
    '1',
    '1002',
    '运动跑步鞋 透气轻便',
    'Breathable Lightweight Running Shoes',
    '疾风',
    'Galeforce',
    '服装鞋帽/鞋/运动鞋',
    'Apparel/Shoes/Sneakers',
    329,
    329,
  ),
  p(
    '1',
    '1003',
    '不锈钢保温杯 500毫升',
    'Stainless Steel Vacuum Bottle 500 ml',
    '暖居',
    'WarmHome',
    '家居/厨具/水杯',
    'Home/Kitchen/Bottles',
    89,
    119,
  ),
  p(
    '1',
    '1004',
    '入耳式有线耳机',
    'In-Ear Wired Earphones',
    '声海',
    'SoundSea',
    '电子产品/音频设备/耳机',
    'Electronics/Audio/Headphones',
    49,
    69,
  ),
  p(
    '1',
    '1005',
    '机械键盘 青轴 RGB 背光',
    'Mechanical Keyboard, Blue Switches, RGB Backlight',
    '键客',
    'KeyCraft',
    '电子产品/电脑外设/键盘',
    'Electronics/Peripherals/Keyboards',
    399,
    459,
  ),
  p(
    '1',
    '1006',
    '纯棉圆领T恤',
    'Cotton Crew-Neck T-Shirt',
    '素衣',
    'PlainWear',
    '服装鞋帽/上衣/T恤',
    'Apparel/Tops/T-Shirts',
    59,
    79,
  ),
  p(
    '2',
    '2001',
    '头戴式游戏耳机 带麦克风',
    'Over-Ear Gaming Headset with Microphone',
    '雷鸣',
    'Thunder',
    '电子产品/音频设备/耳机',
    'Electronics/Audio/Headphones',
    279,
    299,
  ),
  p(
    '2',
    '2002',
    '智能手环 心率监测',
    'Smart Band with Heart-Rate Monitor',
    '脉动',
    'Pulse',
    '电子产品/可穿戴/手环',
    'Electronics/Wearables/Bands',
    159,
    199,
  ),
  p(
    '2',
    '2003',
    '折叠雨伞 自动开收',
    'Automatic Folding Umbrella',
    '晴雨',
    'FairRain',
    '家居/日用/雨伞',
    'Home/Daily/Umbrellas',
    69,
    69,
  ),
];

function p(
  tenant: string,
  spu: string,
  zh: string,
  en: string,
  vzh: string,
  ven: string,
  czh: string,
  cen: string,
  min: number,
  max: number,
): FixtureProduct {
  return {
    tenant_id: tenant,
    spu_id: spu,
    title_zh: zh,
    title_en: en,
    vendor_zh: vzh,
    vendor_en: ven,
    category_path_zh: czh,
    category_path_en: cen,
    category_name_zh: czh.split('/').at(-1)!,
    category_name_en: cen.split('/').at(-1)!,
    brief_zh: `${vzh} ${zh}`,
    brief_en: `${ven} ${en}`,
    min_price: min,
    max_price: max,
  };
}

const text = { type: 'text', analyzer: 'standard' } as const;

export async function createFixtureIndex(esUrl: string, index = E2E_INDEX): Promise<void> {
  const client = new Client({ node: esUrl });
  try {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        _meta: { created_by: 'rwb e2e fixture' },
        properties: {
          tenant_id: { type: 'keyword' },
          spu_id: { type: 'keyword' },
          title_zh: text,
          title_en: text,
          vendor_zh: { ...text, fields: { keyword: { type: 'keyword' } } },
          vendor_en: { ...text, fields: { keyword: { type: 'keyword' } } },
          category_path_zh: text,
          category_path_en: text,
          category_name_zh: text,
          category_name_en: text,
          brief_zh: text,
          brief_en: text,
          min_price: { type: 'double' },
          max_price: { type: 'double' },
          image_src: { type: 'keyword', index: false },
          // Fields the default SearchConfig names (facets, sort, ranking functions, domains),
          // so search.run with the built-in config works on this small index too.
          description_zh: text,
          description_en: text,
          tags: { type: 'keyword' },
          category1_name: { type: 'keyword' },
          create_time: { type: 'date' },
          total_inventory: { type: 'long' },
          specifications: {
            type: 'nested',
            properties: {
              sku_id: { type: 'keyword' },
              name: { type: 'keyword' },
              value: { type: 'keyword' },
            },
          },
          title_embedding: { type: 'dense_vector', dims: 4, index: true, similarity: 'cosine' },
        },
      },
    });
    await client.bulk({
      refresh: 'wait_for',
      operations: FIXTURE_PRODUCTS.flatMap((doc) => [
        { index: { _index: index, _id: `${doc.tenant_id}:${doc.spu_id}` } },
        doc,
      ]),
    });
  } finally {
    await client.close();
  }
}

export async function deleteFixtureIndex(esUrl: string, index = E2E_INDEX): Promise<void> {
  const client = new Client({ node: esUrl });
  try {
    await client.indices.delete({ index, ignore_unavailable: true });
  } finally {
    await client.close();
  }
}

/** Sets the fields of `doc` on every document of a tenant (ids by search, then a bulk update). */
export async function updateTenantDocs(
  esUrl: string,
  index: string,
  tenantId: string,
  doc: Record<string, unknown>,
): Promise<number> {
  const client = new Client({ node: esUrl });
  try {
    const found = await client.search({
      index,
      size: 10_000,
      _source: false,
      query: { term: { tenant_id: tenantId } },
    });
    const ids = found.hits.hits.map((hit) => hit._id!);
    if (ids.length === 0) return 0;
    const res = await client.bulk({
      refresh: 'wait_for',
      operations: ids.flatMap((id) => [{ update: { _index: index, _id: id } }, { doc }]),
    });
    if (res.errors) throw new Error(`bulk update of ${index} failed: ${JSON.stringify(res.items)}`);
    return ids.length;
  } finally {
    await client.close();
  }
}

/** Documents in `index` (of one tenant when given), by `_count` after a refresh. */
export async function countDocs(esUrl: string, index: string, tenantId?: string): Promise<number> {
  const client = new Client({ node: esUrl });
  try {
    await client.indices.refresh({ index });
    const { count } = await client.count({
      index,
      ...(tenantId === undefined ? {} : { query: { term: { tenant_id: tenantId } } }),
    });
    return count;
  } finally {
    await client.close();
  }
}

export const CHROMIUM = process.env.RWB_CHROMIUM ?? '/usr/bin/chromium';

/** For requireComponent: Debian's Chromium (never a browser download). */
export async function chromiumAvailable(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
}

export interface BrowserWorkbench {
  url: string;
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page, for a final `toEqual([])`. */
  pageErrors: string[];
  /** Goes to a screen and waits for the app-ready marker and the screen's root. */
  open(screen: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the renderer into `tmp`, serves it with `ctx` over HTTP (browser mode) and opens it in
 * headless Chromium. `close` stops the browser and the server; the context stays the caller's.
 */
export async function openBrowserWorkbench(
  ctx: ApiContext,
  tmp: string,
): Promise<BrowserWorkbench> {
  const rendererDir = path.join(tmp, 'renderer');
  await buildRenderer(() => undefined, rendererDir);
  const server = await startHttpServer({ ctx, rendererDir, port: 0 });
  let browser: Browser;
  try {
    browser = await chromium.launch({
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
  } catch (err) {
    await server.close();
    throw err;
  }
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    url: server.url,
    browser,
    page,
    pageErrors,
    async open(screen) {
      await page.goto(`${server.url}#/${screen}`);
      await page.locator('[data-testid=app-ready]').waitFor({ state: 'attached' });
      await page.getByTestId(`screen-${screen}`).waitFor();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
