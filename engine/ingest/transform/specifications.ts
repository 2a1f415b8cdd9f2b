/**
 * The nested `specifications` array (seed §3.2): one {sku_id, name, value} per SKU option value,
 * named by the SPU's option at that position, plus SPU-level attributes from `specs_json`.
 */
import type { SkuDoc, SpecificationDoc } from '../../catalog/types.ts';
import { at } from './report.ts';
import type { RowReporter } from './report.ts';
import type { OptionNames } from './skus.ts';
import type { TextLimits } from './values.ts';

/**
 * `sku_id` of attributes that belong to the SPU as a whole (from specs_json) rather than to one SKU.
 * Empty, so it can never collide with a real SKU id.
 */
export const SPU_LEVEL_SKU_ID = '';

const OPTION_VALUE_KEYS = ['option1_value', 'option2_value', 'option3_value'] as const;

export function optionSpecifications(
  skus: SkuDoc[],
  names: OptionNames,
  spuId: string,
  report: RowReporter,
): SpecificationDoc[] {
  const specs: SpecificationDoc[] = [];
  const unnamed = new Set<number>();
  for (const sku of skus) {
    OPTION_VALUE_KEYS.forEach((key, i) => {
      const value = sku[key];
      if (value === null) return;
      const name = names[i];
      if (name === null) unnamed.add(i + 1);
      else specs.push({ sku_id: sku.sku_id, name, value });
    });
  }
  for (const position of unnamed) {
    report.add(
      at.spu(spuId, `option${position}_name`),
      `SKUs have option${position} values but the SPU has no option at position ${position}; those values are kept on the SKUs but not in specifications`,
    );
  }
  return specs;
}

type SpecEntry = { name: unknown; value: unknown };

/** specs_json accepts [{"name","value"}] (the documented form) or {"name": "value"}. */
function specEntries(parsed: unknown): SpecEntry[] | null {
  if (Array.isArray(parsed)) {
    return parsed.map((e) =>
      typeof e === 'object' && e !== null
        ? { name: (e as SpecEntry).name, value: (e as SpecEntry).value }
        : { name: undefined, value: e },
    );
  }
  if (typeof parsed === 'object' && parsed !== null) {
    return Object.entries(parsed).map(([name, value]) => ({ name, value }));
  }
  return null;
}

function specValues(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

export function spuLevelSpecifications(
  specsJson: unknown,
  spuId: string,
  limits: TextLimits,
  report: RowReporter,
): SpecificationDoc[] {
  if (specsJson === null || specsJson === undefined || specsJson === '') return [];
  const where = at.spu(spuId, 'specs_json');
  if (typeof specsJson !== 'string') {
    report.add(where, 'expected JSON text; specs_json ignored');
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(specsJson);
  } catch (err) {
    report.add(
      where,
      `malformed JSON (${err instanceof Error ? err.message : String(err)}); specs_json ignored`,
    );
    return [];
  }
  const entries = specEntries(parsed);
  if (entries === null) {
    report.add(where, 'expected a JSON array of {"name", "value"} objects; specs_json ignored');
    return [];
  }
  const specs: SpecificationDoc[] = [];
  let invalid = 0;
  let tooLong = 0;
  const limit = limits.shortText;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? entry.name.trim() : '';
    const values = specValues(entry.value)
      .filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      .map((v) => String(v).trim())
      .filter((v) => v !== '');
    if (name === '' || values.length === 0) {
      invalid += 1;
      continue;
    }
    if (name.length > limit) {
      tooLong += 1;
      continue;
    }
    for (const value of values) {
      if (value.length > limit) tooLong += 1;
      else specs.push({ sku_id: SPU_LEVEL_SKU_ID, name, value });
    }
  }
  // One report per SPU and kind, not per entry: a product with many long values is one problem.
  if (invalid > 0) {
    report.add(
      where,
      `${invalid} of ${entries.length} entries lack a text name or a scalar value; those entries ignored`,
    );
  }
  if (tooLong > 0) {
    report.add(
      where,
      `${tooLong} name(s)/value(s) longer than ${limit} characters; those entries dropped`,
    );
  }
  return specs;
}

export function dedupeSpecifications(specs: SpecificationDoc[]): SpecificationDoc[] {
  const seen = new Set<string>();
  return specs.filter((s) => {
    const key = `${s.sku_id}\u0000${s.name}\u0000${s.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
