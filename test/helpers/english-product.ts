/**
 * A hand-made product for search tests: `base` (a transformed demo product, so every mapped field
 * is valid) with its text cleared — no Chinese, no tags — and the given fields on top.
 */
import type { ProductDoc } from '../../engine/catalog/types.ts';

export function englishProduct(
  base: ProductDoc,
  spuId: string,
  fields: Partial<ProductDoc>,
): ProductDoc {
  return {
    ...base,
    spu_id: spuId,
    title_zh: '',
    brief_zh: '',
    description_zh: '',
    title_en: '',
    brief_en: '',
    description_en: '',
    tags: [],
    ...fields,
  };
}
