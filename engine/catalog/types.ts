/**
 * The shapes that flow through ingest. Source rows mirror the Shoplazza MySQL tables
 * (db/shoplazza.sql); the file source reads the same shapes as NDJSON/JSON. `ProductDoc` is the
 * Elasticsearch document of mappings/search_products.json (seed §1.2 / §2.1).
 */

/** One row of shoplazza_product_spu. Text columns without suffix are Chinese (seed §3.2). */
export interface SpuRow {
  tenant_id: string;
  id: string;
  handle?: string | null;
  title?: string | null;
  title_en?: string | null;
  brief?: string | null;
  brief_en?: string | null;
  description?: string | null;
  description_en?: string | null;
  vendor?: string | null;
  vendor_en?: string | null;
  category_id?: string | null;
  /** Slash-separated path, e.g. "电子产品/音频设备/耳机". */
  category_path?: string | null;
  category_path_en?: string | null;
  category_name?: string | null;
  category_name_en?: string | null;
  category_level?: number | null;
  tags?: string | null;
  image_src?: string | null;
  /** SPU-level attributes as JSON text: [{"name": "...", "value": "..."}]. */
  specs_json?: string | null;
  published?: number | boolean | null;
  deleted?: number | boolean | null;
  create_time?: Date | string | null;
  update_time?: Date | string | null;
}

/** One row of shoplazza_product_sku. */
export interface SkuRow {
  tenant_id: string;
  id: string;
  spu_id: string;
  title?: string | null;
  sku?: string | null;
  price?: number | string | null;
  compare_at_price?: number | string | null;
  inventory_quantity?: number | string | null;
  weight?: number | string | null;
  weight_unit?: string | null;
  option1?: string | null;
  option2?: string | null;
  option3?: string | null;
  image_src?: string | null;
  create_time?: Date | string | null;
  update_time?: Date | string | null;
}

/** One row of shoplazza_product_option: the name of option slot `position` (1..3) of an SPU. */
export interface OptionRow {
  tenant_id: string;
  id: string;
  spu_id: string;
  position: number;
  name: string;
  name_en?: string | null;
  /** JSON text: ["black", "white"]. */
  values_json?: string | null;
}

/** One SPU with its SKUs and options, joined by tenant_id + spu_id: the unit every source yields. */
export interface SourceProduct {
  spu: SpuRow;
  skus: SkuRow[];
  options: OptionRow[];
}

export interface SpecificationDoc {
  sku_id: string;
  name: string;
  value: string;
}

export interface SkuDoc {
  sku_id: string;
  price: number | null;
  compare_at_price: number | null;
  sku_code: string | null;
  stock: number;
  weight: number | null;
  weight_unit: string | null;
  option1_value: string | null;
  option2_value: string | null;
  option3_value: string | null;
  image_src: string | null;
}

export interface ImageEmbeddingDoc {
  vector: number[];
  url: string;
}

/** The Elasticsearch document (one per SPU); `_id` is `${tenant_id}:${spu_id}`. */
export interface ProductDoc {
  tenant_id: string;
  spu_id: string;
  handle?: string | null;
  create_time?: string | null;
  update_time?: string | null;
  title_zh?: string | null;
  title_en?: string | null;
  brief_zh?: string | null;
  brief_en?: string | null;
  description_zh?: string | null;
  description_en?: string | null;
  vendor_zh?: string | null;
  vendor_en?: string | null;
  category_path_zh?: string | null;
  category_path_en?: string | null;
  category_name_zh?: string | null;
  category_name_en?: string | null;
  category_id?: string | null;
  category_name?: string | null;
  category_level?: number | null;
  category1_name?: string | null;
  category2_name?: string | null;
  category3_name?: string | null;
  tags?: string[];
  image_src?: string | null;
  option1_name?: string | null;
  option2_name?: string | null;
  option3_name?: string | null;
  specifications: SpecificationDoc[];
  skus: SkuDoc[];
  min_price: number | null;
  max_price: number | null;
  compare_at_price: number | null;
  sku_prices: number[];
  sku_weights: number[];
  total_inventory: number;
  title_embedding?: number[];
  image_embedding?: ImageEmbeddingDoc[];
}

/** A source row that could not be turned into a document: reported, never silently dropped. */
export interface RowError {
  tenant_id: string | null;
  spu_id: string | null;
  /** Which table/column or file line the problem is in, e.g. "shoplazza_product_sku[id=9].price". */
  where: string;
  reason: string;
}

export type TransformResult = { ok: true; doc: ProductDoc; warnings: RowError[] } | { ok: false; errors: RowError[] };

export function docId(tenantId: string, spuId: string): string {
  return `${tenantId}:${spuId}`;
}
