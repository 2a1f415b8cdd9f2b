/**
 * The Icecat catalog (../shared/data/icecat/products-*.json, 19,406 English products) as Shoplazza
 * rows, for integration tests and benchmarks. Mapping per product:
 * - id → SPU id and SKU id (one SKU per product); name → SKU title and SKU code;
 * - title → title_en, short_description → brief_en, supplier → vendor_en; Chinese columns stay NULL;
 * - price (integer cents) → SKU price ÷ 100; attr_n_weight (grams) → SKU weight in g;
 * - date_released → create_time and update_time; img_500x500 (else img_high/img_low) → image_src;
 * - attr_t_* / attr_n_* / attr_b_* → specs_json [{name, value}] with the prefix stripped and
 *   underscore runs collapsed ("attr_t_product_colour" → "product_colour"), numbers without a
 *   trailing ".0", booleans as "yes"/"no";
 * - category: derived from the title (icecat-category.ts), e.g. "Printing Supplies/Toner cartridge".
 * The files are JSON arrays, read element by element (json-stream.ts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { MysqlConnection } from '../config/connections.ts';
import { RwbError } from '../errors.ts';
import { icecatDir } from '../paths.ts';
import { icecatCategory, icecatProductType } from './icecat-category.ts';
import { readJsonArrayElements } from './json-stream.ts';
import { writeProductsToMysql } from './mysql-writer.ts';
import type { LoadProgress } from './mysql-writer.ts';
import type { RowError, SourceProduct } from './types.ts';

export const ICECAT_TENANT = 'icecat';
export const ICECAT_PRODUCT_COUNT = 19_406;

export type IcecatProduct = Record<string, unknown> & { id: string };

const ATTRIBUTE = /^attr_[tnb]_(.+)$/;

export function icecatSpecName(attribute: string): string | null {
  const m = ATTRIBUTE.exec(attribute);
  if (!m) return null;
  const name = m[1]!.replace(/_+/g, '_').replace(/^_|_$/g, '');
  return name || null;
}

function specValue(value: unknown): string | null {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'string') return value.trim() || null;
  return null;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

/** One Icecat product → one SourceProduct of `tenantId` (pure; see the header for the mapping). */
export function icecatToSourceProduct(raw: IcecatProduct, tenantId = ICECAT_TENANT): SourceProduct {
  const id = String(raw.id);
  const title = text(raw.title) ?? text(raw.name);
  const released = text(raw.date_released);
  const image = text(raw.img_500x500) ?? text(raw.img_high) ?? text(raw.img_low);
  const specs: Array<{ name: string; value: string }> = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = icecatSpecName(key);
    const v = name ? specValue(value) : null;
    if (name && v !== null) specs.push({ name, value: v });
  }
  const productType = icecatProductType(
    title ?? '',
    text(raw.name),
    text(raw.supplier),
    text(raw.attr_t_product_type),
  );
  const category = title ? icecatCategory(title, productType) : null;
  const cents = typeof raw.price === 'number' && Number.isFinite(raw.price) ? raw.price : null;
  const grams =
    typeof raw.attr_n_weight === 'number' && raw.attr_n_weight > 0 ? raw.attr_n_weight : null;
  return {
    spu: {
      tenant_id: tenantId,
      id,
      handle: `icecat-${id}`,
      title: null,
      title_en: title,
      brief_en: text(raw.short_description),
      vendor_en: text(raw.supplier),
      category_path_en: category?.path ?? null,
      category_name_en: category?.name ?? null,
      category_level: category?.level ?? null,
      image_src: image,
      specs_json: specs.length ? JSON.stringify(specs) : null,
      published: 1,
      deleted: 0,
      create_time: released,
      update_time: released,
    },
    skus: [
      {
        tenant_id: tenantId,
        id,
        spu_id: id,
        title: text(raw.name),
        sku: text(raw.name),
        price: cents === null ? null : (cents / 100).toFixed(2),
        inventory_quantity: null,
        weight: grams,
        weight_unit: grams === null ? null : 'g',
        image_src: image,
        create_time: released,
        update_time: released,
      },
    ],
    options: [],
  };
}

/** products-1.json, products-2.json, … in numeric order. Missing directory or files → NOT_FOUND. */
export async function icecatFiles(dir = icecatDir()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new RwbError(
      'NOT_FOUND',
      `Icecat data directory not found: ${dir}. Pass --dir or set RWB_ICECAT_DIR to the folder with products-*.json.`,
    );
  }
  const files = names
    .filter((n) => /^products-\d+\.json$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  if (files.length === 0) {
    throw new RwbError('NOT_FOUND', `No Icecat products-*.json files in ${dir}.`);
  }
  return files.map((n) => path.join(dir, n));
}

export interface IcecatReadOptions {
  dir?: string;
  tenantId?: string;
  /** A product that is not valid JSON or has no id: reported with file:line, skipped. */
  onRowError?: (e: RowError) => void;
  signal?: AbortSignal;
}

/** The Icecat products as SourceProducts, streamed file by file, element by element. */
export async function* icecatSourceProducts(
  opts: IcecatReadOptions = {},
): AsyncGenerator<SourceProduct> {
  const report = opts.onRowError ?? (() => undefined);
  for (const file of await icecatFiles(opts.dir)) {
    const label = path.basename(file);
    const truncated = (line: number) =>
      report({
        tenant_id: null,
        spu_id: null,
        where: `${label}:${line}`,
        reason: 'file ends inside the JSON array',
      });
    for await (const element of readJsonArrayElements(file, {
      signal: opts.signal,
      onTruncated: truncated,
    })) {
      let raw: unknown;
      try {
        raw = JSON.parse(element.text);
      } catch (err) {
        report({
          tenant_id: null,
          spu_id: null,
          where: `${label}:${element.line}`,
          reason: `invalid JSON: ${(err as Error).message}`,
        });
        continue;
      }
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      if (typeof id !== 'string' && typeof id !== 'number') {
        report({
          tenant_id: null,
          spu_id: null,
          where: `${label}:${element.line}`,
          reason: 'product without an "id"; skipped',
        });
        continue;
      }
      yield icecatToSourceProduct(
        { ...(raw as object), id: String(id) },
        opts.tenantId ?? ICECAT_TENANT,
      );
    }
  }
}

/**
 * Loads the Icecat products into the MySQL tables as tenant `tenantId` (default "icecat"),
 * replacing that tenant's rows. Creates the database and tables if needed.
 */
export async function loadIcecatIntoMysql(
  conn: MysqlConnection,
  opts: IcecatReadOptions & { batchSize?: number; onProgress?: (p: LoadProgress) => void } = {},
): Promise<LoadProgress & { files: number }> {
  const files = await icecatFiles(opts.dir);
  const tenantId = opts.tenantId ?? ICECAT_TENANT;
  const written = await writeProductsToMysql(conn, icecatSourceProducts({ ...opts, tenantId }), {
    replaceTenants: [tenantId],
    batchSize: opts.batchSize,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  return { ...written, files: files.length };
}
