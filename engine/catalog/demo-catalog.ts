/**
 * The demo catalog: a deterministic, bilingual Shoplazza-shaped catalog (the embedded default's
 * data). Every SPU is generated from its own PRNG seeded by (seed, tenant, index), so the same
 * options always produce the same rows, and growing `spusPerTenant` keeps the earlier SPUs unchanged.
 *
 * Tenants differ on purpose so that search features have something to show:
 * - profile "bilingual-zh-options" (tenants 1, 4, …): zh + en text, option names/values in Chinese;
 * - profile "bilingual-en-options" (tenants 2, 5, …): zh + en text, option names/values in English;
 * - profile "zh-only" (tenants 3, 6, …): Chinese only, English columns NULL (the seed's default case,
 *   where query translation has to bridge languages).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { MysqlConnection } from '../config/connections.ts';
import { AXES, BRANDS, LEAVES, ORIGIN, TAGS, USAGES } from './demo-data.ts';
import type { AxisKey, Bilingual, LeafCategory } from './demo-data.ts';
import { writeProductsToMysql } from './mysql-writer.ts';
import type { LoadProgress } from './mysql-writer.ts';
import type { OptionRow, SkuRow, SourceProduct, SpuRow } from './types.ts';

export interface DemoCatalogOptions {
  /** Number of tenants ("1".."n") or explicit tenant ids (default 3). */
  tenants?: number | string[];
  /** SPUs per tenant (default 500). */
  spusPerTenant?: number;
  seed?: number;
}

export const DEMO_DEFAULTS = { tenants: 3, spusPerTenant: 500, seed: 42 } as const;

type Profile = 'bilingual-zh-options' | 'bilingual-en-options' | 'zh-only';
const PROFILES: Profile[] = ['bilingual-zh-options', 'bilingual-en-options', 'zh-only'];

export function demoTenantIds(tenants: number | string[] = DEMO_DEFAULTS.tenants): string[] {
  return Array.isArray(tenants)
    ? tenants
    : Array.from({ length: tenants }, (_, i) => String(i + 1));
}

/** mulberry32: small, fast and good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive one PRNG seed per SPU from (seed, tenant, index). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Dice {
  constructor(private readonly next: () => number) {}
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  int(min: number, max: number): number {
    return Math.floor(this.float(min, max + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `n` distinct items, in their original order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const indexes = items.map((_, i) => i);
    for (let i = indexes.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
    }
    return indexes
      .slice(0, n)
      .sort((a, b) => a - b)
      .map((i) => items[i]!);
  }
}

const BASE_TIME = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** Prices look like shop prices: 59.00, 129.90, 899.00. */
function shopPrice(value: number): string {
  const rounded = value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
  return rounded.toFixed(2);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function axisValues(dice: Dice, key: AxisKey): Bilingual[] {
  const a = AXES[key];
  const n = dice.int(a.ordered ? 2 : 1, Math.min(a.maxValues, a.values.length));
  if (!a.ordered) return dice.sample(a.values, n);
  const start = dice.int(0, a.values.length - n);
  return a.values.slice(start, start + n);
}

/** Cartesian product of the chosen values of each axis. */
function combinations(values: Bilingual[][]): Bilingual[][] {
  return values.reduce<Bilingual[][]>(
    (acc, vs) => acc.flatMap((combo) => vs.map((v) => [...combo, v])),
    [[]],
  );
}

function generateProduct(
  tenantId: string,
  tenantIndex: number,
  index: number,
  seed: number,
): SourceProduct {
  const dice = new Dice(prng(hash32(`${seed}:${tenantId}:${index}`)));
  const profile = PROFILES[tenantIndex % PROFILES.length]!;
  const withEnglish = profile !== 'zh-only';
  const optionLang: keyof Bilingual = profile === 'bilingual-en-options' ? 'en' : 'zh';
  const en = <T>(value: T): T | null => (withEnglish ? value : null);

  const leafIndex = Math.floor(dice.float(0, LEAVES.length));
  const leaf: LeafCategory = LEAVES[leafIndex]!;
  const brand = dice.pick(BRANDS[leaf.group]);
  const noun = dice.pick(leaf.nouns);
  const feature = dice.pick(leaf.features);
  const usage = dice.pick(USAGES[leaf.group]);
  const specs = [...leaf.specs, ORIGIN].map((s) => ({ name: s.name, value: dice.pick(s.values) }));
  const isNew = dice.chance(0.2);

  const spuId = String(10_000 + index);
  const titleZh = `${brand.zh} ${feature.zh}${noun.zh}${isNew ? ' 2024新款' : ''}`;
  const titleEn = `${brand.en} ${feature.en} ${noun.en}${isNew ? ' (2024 New)' : ''}`;
  const specZh = specs.map((s) => `${s.name.zh}：${s.value.zh}`).join('，');
  const specEn = specs.map((s) => `${s.name.en}: ${s.value.en}`).join('; ');
  const created = BASE_TIME + Math.floor(dice.float(0, 330)) * DAY + dice.int(0, 86_399) * 1000;
  const updated = created + dice.int(0, 30) * DAY + dice.int(0, 86_399) * 1000;
  const basePrice = dice.float(leaf.price[0], leaf.price[1]);
  const discount = dice.chance(0.5) ? dice.float(1.15, 1.6) : null;
  const baseWeight = dice.float(leaf.weightKg[0], leaf.weightKg[1]);
  const skuPrefix = brand.en
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 6)
    .toUpperCase();
  const image = (suffix: string) =>
    `https://img.example.com/rwb-demo/${tenantId}/${spuId}${suffix}.jpg`;

  const axes = leaf.axes.map((key) => ({ key, values: axisValues(dice, key) }));
  const options: OptionRow[] = axes.map((a, i) => ({
    tenant_id: tenantId,
    id: `${spuId}${i + 1}`,
    spu_id: spuId,
    position: i + 1,
    name: AXES[a.key].name[optionLang],
    name_en: en(AXES[a.key].name.en),
    values_json: JSON.stringify(a.values.map((v) => v[optionLang])),
  }));
  const skus: SkuRow[] = combinations(axes.map((a) => a.values)).map((combo, k) => {
    // Bigger sizes cost and weigh a little more, like real price grids.
    const step = combo.length > 1 ? axes[1]!.values.indexOf(combo[1]!) : 0;
    const price = basePrice * (1 + 0.08 * step);
    const weight = baseWeight * (1 + 0.05 * step);
    return {
      tenant_id: tenantId,
      id: `${spuId}${String(k + 1).padStart(2, '0')}`,
      spu_id: spuId,
      title: combo.map((v) => v[optionLang]).join(' / '),
      sku: `${skuPrefix}-${spuId}-${k + 1}`,
      price: shopPrice(price),
      compare_at_price: discount === null ? null : shopPrice(price * discount),
      inventory_quantity: dice.chance(0.1) ? 0 : dice.int(1, 500),
      weight: weight.toFixed(3),
      weight_unit: 'kg',
      option1: combo[0]?.[optionLang] ?? null,
      option2: combo[1]?.[optionLang] ?? null,
      option3: combo[2]?.[optionLang] ?? null,
      image_src: image(`-${k + 1}`),
      create_time: new Date(created),
      update_time: new Date(updated),
    };
  });
  const tags = dice
    .sample(TAGS, dice.int(1, 3))
    .map((t) => (profile === 'bilingual-en-options' ? t.en : t.zh));

  const spu: SpuRow = {
    tenant_id: tenantId,
    id: spuId,
    handle: `${slug(`${brand.en} ${noun.en}`)}-${spuId}`,
    title: titleZh,
    title_en: en(titleEn),
    brief: `${feature.zh}${noun.zh}，${usage.zh}`,
    brief_en: en(`${feature.en} ${noun.en}: ${usage.en}.`),
    description: `${titleZh}。${feature.zh}设计，${usage.zh}。${specZh}。${brand.zh}品牌正品，支持七天无理由退换。`,
    description_en: en(
      `${titleEn}. ${feature.en} design; ${usage.en}. ${specEn}. Genuine ${brand.en} product with a 7-day no-questions-asked return policy.`,
    ),
    vendor: brand.zh,
    vendor_en: en(brand.en),
    category_id: String(100 + leafIndex),
    category_path: leaf.path.map((p) => p.zh).join('/'),
    category_path_en: en(leaf.path.map((p) => p.en).join('/')),
    category_name: leaf.path[2].zh,
    category_name_en: en(leaf.path[2].en),
    category_level: 3,
    tags: tags.join(','),
    image_src: image(''),
    specs_json: JSON.stringify(
      specs.map((s) => ({ name: s.name[optionLang], value: s.value[optionLang] })),
    ),
    published: 1,
    deleted: 0,
    create_time: new Date(created),
    update_time: new Date(updated),
  };
  return { spu, skus, options };
}

/** The demo catalog, tenant by tenant, SPU ids 10000, 10001, … within each tenant. */
export function* generateDemoCatalog(opts: DemoCatalogOptions = {}): Generator<SourceProduct> {
  const tenants = demoTenantIds(opts.tenants);
  const perTenant = opts.spusPerTenant ?? DEMO_DEFAULTS.spusPerTenant;
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  for (const [tenantIndex, tenantId] of tenants.entries()) {
    for (let i = 0; i < perTenant; i += 1) yield generateProduct(tenantId, tenantIndex, i, seed);
  }
}

/** Writes the demo catalog as NDJSON (one SourceProduct per line); returns the number of SPUs. */
export async function writeDemoFile(
  file: string,
  opts: DemoCatalogOptions & { onProgress?: (spus: number) => void } = {},
): Promise<number> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const out = createWriteStream(file, { encoding: 'utf8' });
  let n = 0;
  try {
    for (const product of generateDemoCatalog(opts)) {
      if (!out.write(`${JSON.stringify(product)}\n`)) await once(out, 'drain');
      n += 1;
      if (n % 500 === 0) opts.onProgress?.(n);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  opts.onProgress?.(n);
  return n;
}

/**
 * Creates the database and tables if needed and (re)loads the demo tenants: their old rows are
 * deleted first, so loading twice gives the same tables.
 */
export async function loadDemoIntoMysql(
  conn: MysqlConnection,
  opts: DemoCatalogOptions & {
    batchSize?: number;
    onProgress?: (p: LoadProgress) => void;
    signal?: AbortSignal;
  } = {},
): Promise<LoadProgress> {
  return writeProductsToMysql(conn, generateDemoCatalog(opts), {
    replaceTenants: demoTenantIds(opts.tenants),
    batchSize: opts.batchSize,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}
