/**
 * Builds the create-index body of `search_products` from mappings/search_products.json: the
 * `$PLACEHOLDERS` in it are filled from the analysis choice and the models' vector dims.
 */
import type { estypes } from '@elastic/elasticsearch';
import template from '../../mappings/search_products.json' with { type: 'json' };
import { RwbError } from '../errors.ts';
import type { AnalysisChoice } from './analysis.ts';

/** Bump when the mapping changes incompatibly; an older index must then be re-created. */
export const INDEX_SCHEMA_VERSION = 1;
export const SEARCH_PRODUCTS_INDEX = 'search_products';
/** ES 8.x allows at most 4096 dims for an indexed dense_vector. */
export const MAX_VECTOR_DIMS = 4096;

export interface IndexMeta {
  created_by: 'rwb';
  schema_version: number;
  created_at: string;
  analysis: Omit<AnalysisChoice, 'available'> & { available?: Record<string, boolean> };
  text_model: string | null;
  text_dims: number | null;
  image_model: string | null;
  image_dims: number | null;
}

export interface IndexBodyOptions {
  /** Dims of title_embedding; null leaves them unset (ES takes them from the first vector). */
  textDims: number | null;
  imageDims: number | null;
  analysis: AnalysisChoice;
  textModel?: string | null;
  imageModel?: string | null;
  /** Defaults to now; tests pass a fixed time. */
  createdAt?: string;
}

export interface IndexBody {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PLACEHOLDER = /^\$[A-Z][A-Z0-9_]*$/;

const REMOVE = Symbol('remove');

/**
 * Replaces every string that is exactly `$NAME` (object value or array item) by `values.NAME`; a
 * null value removes the property or item (e.g. no normalizer on a cluster without a lowercase
 * filter). An unknown placeholder is a bug in the mapping file: it throws.
 */
export function fillPlaceholders(node: Json, values: Record<string, string | number | null>): Json {
  const fill = (value: Json, where: string): Json | typeof REMOVE => {
    if (typeof value === 'string' && PLACEHOLDER.test(value)) {
      const name = value.slice(1);
      if (!(name in values)) {
        throw new RwbError(
          'INTERNAL',
          `mappings/search_products.json: no value for placeholder ${value} (at "${where}")`,
        );
      }
      return values[name] ?? REMOVE;
    }
    if (Array.isArray(value)) {
      return value
        .map((item, i) => fill(item, `${where}[${i}]`))
        .filter((item): item is Json => item !== REMOVE);
    }
    if (value === null || typeof value !== 'object') return value;
    const out: { [key: string]: Json } = {};
    for (const [key, child] of Object.entries(value)) {
      const filled = fill(child, where ? `${where}.${key}` : key);
      if (filled !== REMOVE) out[key] = filled;
    }
    return out;
  };
  const result = fill(node, '');
  return result === REMOVE ? null : result;
}

export function validateDims(dims: number | null, what: string): number | null {
  if (dims === null) return null;
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_VECTOR_DIMS) {
    throw new RwbError(
      'INVALID_CONFIG',
      `${what} dims must be an integer between 1 and ${MAX_VECTOR_DIMS}, got ${dims}.`,
    );
  }
  return dims;
}

export function buildIndexMeta(opts: IndexBodyOptions): IndexMeta {
  return {
    created_by: 'rwb',
    schema_version: INDEX_SCHEMA_VERSION,
    created_at: opts.createdAt ?? new Date().toISOString(),
    analysis: opts.analysis,
    text_model: opts.textModel ?? null,
    text_dims: opts.textDims,
    image_model: opts.imageModel ?? null,
    image_dims: opts.imageDims,
  };
}

/** The body for `indices.create`: settings (+ analysis normalizer) and the filled mapping with `_meta`. */
export function buildIndexBody(opts: IndexBodyOptions): IndexBody {
  const textDims = validateDims(opts.textDims, 'title_embedding');
  const imageDims = validateDims(opts.imageDims, 'image_embedding.vector');
  const { analysis } = opts;
  const filled = fillPlaceholders(template as unknown as Json, {
    ZH_INDEX_ANALYZER: analysis.zh.indexAnalyzer,
    ZH_SEARCH_ANALYZER: analysis.zh.searchAnalyzer,
    EN_INDEX_ANALYZER: analysis.en.indexAnalyzer,
    EN_SEARCH_ANALYZER: analysis.en.searchAnalyzer,
    KEYWORD_NORMALIZER: analysis.keywordNormalizer?.name ?? null,
    TEXT_DIMS: textDims,
    IMAGE_DIMS: imageDims,
  }) as unknown as IndexBody;

  const settings: estypes.IndicesIndexSettings = structuredClone(filled.settings);
  if (analysis.keywordNormalizer) {
    settings.analysis = {
      normalizer: {
        [analysis.keywordNormalizer.name]: {
          type: 'custom',
          filter: analysis.keywordNormalizer.filters,
        },
      },
    };
  }
  const mappings: estypes.MappingTypeMapping = {
    ...filled.mappings,
    _meta: buildIndexMeta({ ...opts, textDims, imageDims }) as unknown as estypes.Metadata,
  };
  return { settings, mappings };
}

/** Every top-level field the mapping declares (for checks that a ProductDoc fits it). */
export function mappedFieldNames(): string[] {
  return Object.keys(
    (template as { mappings: { properties: Record<string, unknown> } }).mappings.properties,
  );
}
