/** Options (option1..3 names) and nested SKUs of one SPU, with per-row validation. */
import type { OptionRow, SkuDoc, SkuRow } from '../../catalog/types.ts';
import { at } from './report.ts';
import type { RowReporter } from './report.ts';
import { amount, isKnownWeightUnit, positiveInt, shortText, stock } from './values.ts';
import type { TextLimits } from './values.ts';

export interface Owner {
  tenantId: string;
  spuId: string;
}

/** Option names by position (index 0 = option1). */
export type OptionNames = [string | null, string | null, string | null];

function idOf(row: { id?: unknown }): string | null {
  const id = row.id === null || row.id === undefined ? '' : String(row.id).trim();
  return id === '' ? null : id;
}

/** A row of another SPU or tenant inside this product: reported and skipped. */
function foreignRow(
  row: { tenant_id?: unknown; spu_id?: unknown },
  owner: Owner,
  where: string,
  what: string,
  report: RowReporter,
): boolean {
  const tenant = String(row.tenant_id ?? '');
  const spu = String(row.spu_id ?? '');
  if (tenant !== owner.tenantId || spu !== owner.spuId) {
    report.add(
      where,
      `${what} belongs to SPU ${spu || '(none)'} of tenant ${tenant || '(none)'}, not SPU ${owner.spuId} of tenant ${owner.tenantId}; ${what} skipped`,
    );
    return true;
  }
  return false;
}

function checkValuesJson(option: OptionRow, id: string, report: RowReporter): void {
  const raw = option.values_json;
  if (raw === null || raw === undefined || raw === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    report.add(
      at.option(id, 'values_json'),
      `malformed JSON (${err instanceof Error ? err.message : String(err)}); ignored`,
    );
    return;
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v === 'object' && v !== null)) {
    report.add(at.option(id, 'values_json'), 'expected a JSON array of values; ignored');
  }
}

export function buildOptionNames(
  options: OptionRow[],
  owner: Owner,
  limits: TextLimits,
  report: RowReporter,
): OptionNames {
  const names: OptionNames = [null, null, null];
  for (const option of options) {
    const id = idOf(option);
    if (foreignRow(option, owner, at.option(id, 'spu_id'), 'option', report)) continue;
    checkValuesJson(option, id ?? '', report);
    const position = positiveInt(option.position, at.option(id, 'position'), report, 'position');
    if (position === null) continue;
    if (position > 3) {
      report.add(
        at.option(id, 'position'),
        `position ${position} is outside 1..3 (SKUs have option1..option3); option skipped`,
      );
      continue;
    }
    const name =
      shortText(option.name, limits.shortText, at.option(id, 'name'), report) ??
      shortText(option.name_en, limits.shortText, at.option(id, 'name_en'), report);
    if (name === null) {
      report.add(at.option(id, 'name'), 'option has no name; option skipped');
      continue;
    }
    if (names[position - 1] !== null) {
      report.add(
        at.option(id, 'position'),
        `a second option at position ${position}; the first one ("${names[position - 1]}") is kept`,
      );
      continue;
    }
    names[position - 1] = name;
  }
  return names;
}

export function buildSkus(
  skus: SkuRow[],
  owner: Owner,
  limits: TextLimits,
  report: RowReporter,
): SkuDoc[] {
  const seen = new Set<string>();
  const docs: SkuDoc[] = [];
  skus.forEach((sku, index) => {
    const id = idOf(sku);
    if (id === null) {
      report.add(
        `${at.sku(null, 'id')}#${index}`,
        `SKU #${index} of SPU ${owner.spuId} has no id; SKU skipped`,
      );
      return;
    }
    if (foreignRow(sku, owner, at.sku(id, 'spu_id'), 'SKU', report)) return;
    if (seen.has(id)) {
      report.add(
        at.sku(id, 'id'),
        `duplicate SKU id ${id} in SPU ${owner.spuId}; only the first is kept`,
      );
      return;
    }
    seen.add(id);
    const text = (column: 'sku' | 'option1' | 'option2' | 'option3' | 'weight_unit') =>
      shortText(sku[column], limits.shortText, at.sku(id, column), report);
    const weight = amount(sku.weight, at.sku(id, 'weight'), report, { what: 'weight' });
    const weightUnit = text('weight_unit')?.toLowerCase() ?? null;
    if (weight !== null && weightUnit !== null && !isKnownWeightUnit(weightUnit)) {
      report.add(
        at.sku(id, 'weight_unit'),
        `unknown weight unit "${weightUnit}"; the weight is not included in sku_weights`,
      );
    }
    docs.push({
      sku_id: id,
      price: amount(sku.price, at.sku(id, 'price'), report, { what: 'price', required: true }),
      compare_at_price: amount(sku.compare_at_price, at.sku(id, 'compare_at_price'), report, {
        what: 'compare_at_price',
      }),
      sku_code: text('sku'),
      stock: stock(sku.inventory_quantity, at.sku(id, 'inventory_quantity'), report),
      weight,
      weight_unit: weightUnit,
      option1_value: text('option1'),
      option2_value: text('option2'),
      option3_value: text('option3'),
      image_src: shortText(sku.image_src, limits.url, at.sku(id, 'image_src'), report),
    });
  });
  return docs;
}
