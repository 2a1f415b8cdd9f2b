/**
 * SPU transformer (seed §3.2): one SourceProduct (SPU row + its SKU and option rows) → one
 * ProductDoc for the `search_products` index. Pure and synchronous; it never throws for bad data.
 *
 * Field mapping
 * - Language: unsuffixed MySQL text columns are Chinese: title → title_zh, brief → brief_zh,
 *   description → description_zh, vendor → vendor_zh, category_path → category_path_zh,
 *   category_name → category_name_zh; the *_en columns → *_en (null when absent).
 * - Category: category1/2/3_name from the zh path, else the en path ("/" or ">" separated);
 *   category_level = the SPU's column, else the path depth; category_name_zh/_en default to the
 *   leaf of their path; `category_name` (keyword) = category_name_zh ?? category_name_en.
 * - option1..3_name: the SPU's option rows by position (name, else name_en).
 * - specifications: {sku_id, name: option name at position n, value: SKU's option<n>} for every SKU,
 *   plus SPU-level attributes from specs_json with sku_id "" (SPU_LEVEL_SKU_ID); duplicates removed.
 * - skus: nested SkuDoc per valid SKU. Flattened: min_price/max_price over SKU prices,
 *   compare_at_price = the highest SKU compare-at price, sku_prices, sku_weights (whole grams, so the
 *   `long` field keeps 200 g as 200 rather than 0.2 kg as 0), total_inventory = sum of stock.
 * - tenant_id/spu_id injected; tags split on commas; times as ISO 8601 UTC; image_src = the SPU's,
 *   else the first SKU image.
 *
 * Validation policy (also in docs/ingest-validation.md). Every problem is a RowError whose `where`
 * is table[id=…].column. REJECT = no document, the problems are `errors`; otherwise the document is
 * produced and the problems are `warnings`.
 * - REJECT: tenant_id or id missing; no title in any language (NULL, blank, or dropped as too long);
 *   an unexpected internal failure (reported, never thrown).
 * - Drop the value (null): a title/short text over its limit (titles, vendor, category, handle,
 *   codes, option/spec names and values: `maxTitleLength`, default 1,000; URLs: 2,048), a value of
 *   the wrong type, an invalid date, an invalid category_level (derived from the path instead).
 * - Truncate: brief/description over `maxTextLength` (default 32,000).
 * - SKU price negative/non-numeric/NULL → price null (SKU kept, left out of min/max/sku_prices);
 *   compare_at_price or weight negative/non-numeric → null; stock negative/non-integer → 0.
 * - Skip the row: a SKU without id, a duplicated SKU id (first kept), a SKU or option of another
 *   SPU/tenant, an option with position outside 1..3, without a name, or duplicating a position.
 * - Ignore the column: malformed specs_json (or single invalid entries of it), malformed values_json.
 * - SKU option values without an option name at that position stay on the SKU but are not put into
 *   specifications.
 */
import type { ProductDoc, RowError, SourceProduct, TransformResult } from '../catalog/types.ts';
import { categoryLevels, leafOf, splitTags } from './transform/category.ts';
import { RowReporter, at } from './transform/report.ts';
import { buildOptionNames, buildSkus } from './transform/skus.ts';
import {
  dedupeSpecifications,
  optionSpecifications,
  spuLevelSpecifications,
} from './transform/specifications.ts';
import { isoTime, longText, positiveInt, shortText, weightInGrams } from './transform/values.ts';
import type { TextLimits } from './transform/values.ts';

export { SPU_LEVEL_SKU_ID } from './transform/specifications.ts';

export interface TransformOptions {
  /** Briefs and descriptions longer than this are truncated (default 32,000 characters). */
  maxTextLength?: number;
  /** Titles and other short text longer than this are dropped (default 1,000 characters). */
  maxTitleLength?: number;
}

export const DEFAULT_MAX_TEXT_LENGTH = 32_000;
export const DEFAULT_MAX_TITLE_LENGTH = 1_000;
const MAX_URL_LENGTH = 2_048;

function idText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

function maxOf(values: number[]): number | null {
  return values.length ? Math.max(...values) : null;
}

function minOf(values: number[]): number | null {
  return values.length ? Math.min(...values) : null;
}

export function transformSpu(p: SourceProduct, opts: TransformOptions = {}): TransformResult {
  const tenantId = idText(p?.spu?.tenant_id);
  const spuId = idText(p?.spu?.id);
  try {
    return transformChecked(p, tenantId, spuId, opts);
  } catch (err) {
    const error: RowError = {
      tenant_id: tenantId,
      spu_id: spuId,
      where: at.spu(spuId, '*'),
      reason: `internal error while transforming: ${err instanceof Error ? err.message : String(err)}`,
    };
    return { ok: false, errors: [error] };
  }
}

function transformChecked(
  p: SourceProduct,
  tenantId: string | null,
  spuId: string | null,
  opts: TransformOptions,
): TransformResult {
  const report = new RowReporter(tenantId, spuId);
  if (tenantId === null)
    report.add(at.spu(spuId, 'tenant_id'), 'tenant_id is missing; SPU rejected');
  if (spuId === null) report.add(at.spu(null, 'id'), 'SPU id is missing; SPU rejected');
  if (tenantId === null || spuId === null) return { ok: false, errors: report.problems };

  const spu = p.spu;
  const limits: TextLimits = {
    longText: opts.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH,
    shortText: opts.maxTitleLength ?? DEFAULT_MAX_TITLE_LENGTH,
    url: MAX_URL_LENGTH,
  };
  const short = (column: keyof typeof spu) =>
    shortText(spu[column], limits.shortText, at.spu(spuId, column), report);
  const long = (column: keyof typeof spu) =>
    longText(spu[column], limits.longText, at.spu(spuId, column), report);

  const titleZh = short('title');
  const titleEn = short('title_en');
  if (titleZh === null && titleEn === null) {
    report.add(
      at.spu(spuId, 'title'),
      'no usable title in any language (title and title_en are NULL, blank or too long); SPU rejected',
    );
    return { ok: false, errors: report.problems };
  }

  const owner = { tenantId, spuId };
  const optionNames = buildOptionNames(p.options ?? [], owner, limits, report);
  const skus = buildSkus(p.skus ?? [], owner, limits, report);
  const specifications = dedupeSpecifications([
    ...optionSpecifications(skus, optionNames, spuId, report),
    ...spuLevelSpecifications(spu.specs_json, spuId, limits, report),
  ]);

  const pathZh = short('category_path');
  const pathEn = short('category_path_en');
  const levels = categoryLevels(pathZh, pathEn);
  const categoryNameZh = short('category_name') ?? leafOf(pathZh);
  const categoryNameEn = short('category_name_en') ?? leafOf(pathEn);
  const categoryLevel =
    positiveInt(spu.category_level, at.spu(spuId, 'category_level'), report, 'category_level') ??
    (levels.depth > 0 ? levels.depth : null);

  const tags = splitTags(long('tags')).filter((tag) => {
    if (tag.length <= 200) return true;
    report.add(at.spu(spuId, 'tags'), `a tag of ${tag.length} characters exceeds 200; tag dropped`);
    return false;
  });

  const prices = skus.flatMap((s) => (s.price === null ? [] : [s.price]));
  const compareAt = skus.flatMap((s) => (s.compare_at_price === null ? [] : [s.compare_at_price]));
  const weights = skus.flatMap((s) => {
    const grams = weightInGrams(s.weight, s.weight_unit);
    return grams === null ? [] : [grams];
  });

  const doc: ProductDoc = {
    tenant_id: tenantId,
    spu_id: spuId,
    handle: short('handle'),
    create_time: isoTime(spu.create_time, at.spu(spuId, 'create_time'), report),
    update_time: isoTime(spu.update_time, at.spu(spuId, 'update_time'), report),
    title_zh: titleZh,
    title_en: titleEn,
    brief_zh: long('brief'),
    brief_en: long('brief_en'),
    description_zh: long('description'),
    description_en: long('description_en'),
    vendor_zh: short('vendor'),
    vendor_en: short('vendor_en'),
    category_path_zh: pathZh,
    category_path_en: pathEn,
    category_name_zh: categoryNameZh,
    category_name_en: categoryNameEn,
    category_id: short('category_id'),
    category_name: categoryNameZh ?? categoryNameEn,
    category_level: categoryLevel,
    category1_name: levels.category1_name,
    category2_name: levels.category2_name,
    category3_name: levels.category3_name,
    tags,
    image_src:
      shortText(spu.image_src, limits.url, at.spu(spuId, 'image_src'), report) ??
      skus.find((s) => s.image_src)?.image_src ??
      null,
    option1_name: optionNames[0],
    option2_name: optionNames[1],
    option3_name: optionNames[2],
    specifications,
    skus,
    min_price: minOf(prices),
    max_price: maxOf(prices),
    compare_at_price: maxOf(compareAt),
    sku_prices: prices,
    sku_weights: weights,
    total_inventory: skus.reduce((sum, s) => sum + s.stock, 0),
  };
  return { ok: true, doc, warnings: report.problems };
}
