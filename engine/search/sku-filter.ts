/**
 * sku_filter_dimension (seed §8.3.5): keep one SKU per value of a dimension, in the result
 * formatter rather than in ES (only the returned page is touched, and the query stays simple).
 * The dimension is `option1`..`option3`, or a specification name matched against the SPU's
 * option1_name..option3_name (case-insensitively). No match → every SKU is kept.
 */
import type { SkuDoc } from '../catalog/types.ts';

export type OptionSlot = 1 | 2 | 3;

const OPTION_SLOT = /^option([123])$/i;

type OptionNames = readonly [
  string | null | undefined,
  string | null | undefined,
  string | null | undefined,
];

/** Which option slot `dimension` means for an SPU with these option names, or null. */
export function optionSlotFor(dimension: string, optionNames: OptionNames): OptionSlot | null {
  const slot = OPTION_SLOT.exec(dimension.trim());
  if (slot !== null) return Number(slot[1]) as OptionSlot;
  const wanted = dimension.trim().toLowerCase();
  const index = optionNames.findIndex(
    (name) => typeof name === 'string' && name.trim().toLowerCase() === wanted,
  );
  return index < 0 ? null : ((index + 1) as OptionSlot);
}

function optionValue(sku: SkuDoc, slot: OptionSlot): string | null {
  return slot === 1 ? sku.option1_value : slot === 2 ? sku.option2_value : sku.option3_value;
}

/** The first SKU of each value of the dimension, in their original order. */
export function filterSkusByDimension<T extends SkuDoc>(
  skus: readonly T[],
  dimension: string | null,
  optionNames: OptionNames,
): T[] {
  if (dimension === null || dimension.trim() === '') return [...skus];
  const slot = optionSlotFor(dimension, optionNames);
  if (slot === null) return [...skus];
  const seen = new Set<string | null>();
  return skus.filter((sku) => {
    const value = optionValue(sku, slot);
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  });
}
