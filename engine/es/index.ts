/**
 * Lifecycle of the `search_products` index: create it from mappings/search_products.json with the
 * analysis the cluster offers and the models' vector dims, verify an existing one is compatible,
 * delete it, and describe it (document counts per tenant, `_meta`).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { RwbError } from '../errors.ts';
import { detectAnalysis, summarizeAnalysis, type AnalysisChoice } from './analysis.ts';
import { esErrorToRwb } from './client.ts';
import {
  INDEX_SCHEMA_VERSION,
  SEARCH_PRODUCTS_INDEX,
  buildIndexBody,
  validateDims,
  type IndexMeta,
} from './index-body.ts';

export {
  buildIndexBody,
  fillPlaceholders,
  INDEX_SCHEMA_VERSION,
  SEARCH_PRODUCTS_INDEX,
} from './index-body.ts';
export type { IndexBody, IndexBodyOptions, IndexMeta } from './index-body.ts';

export interface EnsureIndexOptions {
  index?: string;
  /** Dims of the text model's vectors; null/undefined: no text model (dims left to ES). */
  textDims?: number | null;
  imageDims?: number | null;
  textModel?: string | null;
  imageModel?: string | null;
  /** Delete and create again (all documents are lost). */
  recreate?: boolean;
  /** Skip detection and use this choice. */
  analysis?: AnalysisChoice;
  /** For messages only (the client's node URL). */
  url?: string;
}

export interface EnsureIndexResult {
  index: string;
  created: boolean;
  recreated: boolean;
  meta: IndexMeta;
  /** One line describing the analysis in use, for logs and the UI. */
  analysisSummary: string;
}

export interface IndexInfo {
  index: string;
  exists: boolean;
  docCount: number;
  tenants: Array<{ tenantId: string; docs: number }>;
  /** True when there were more tenants than listed. */
  tenantsTruncated: boolean;
  meta: IndexMeta | null;
  textDims: number | null;
  imageDims: number | null;
}

interface MappedDims {
  text: number | null;
  image: number | null;
}

function mappedDims(mapping: estypes.MappingTypeMapping): MappedDims {
  const props = mapping.properties ?? {};
  const title = props.title_embedding as estypes.MappingDenseVectorProperty | undefined;
  const image = props.image_embedding as estypes.MappingNestedProperty | undefined;
  const imageVector = image?.properties?.vector as estypes.MappingDenseVectorProperty | undefined;
  return { text: title?.dims ?? null, image: imageVector?.dims ?? null };
}

async function readMapping(client: Client, index: string): Promise<estypes.MappingTypeMapping> {
  const res = await client.indices.getMapping({ index });
  const first = Object.values(res)[0];
  if (!first) throw new RwbError('NOT_FOUND', `Index ${index} has no mapping.`);
  return first.mappings;
}

function incompatible(index: string, what: string): RwbError {
  return new RwbError(
    'INVALID_CONFIG',
    `Index ${index} exists but ${what}. Re-create it with --recreate-index (this deletes the documents of every tenant in it), or use another index name.`,
    { index },
  );
}

/** Checks an existing index against what this run needs; returns its (possibly updated) _meta. */
async function verifyExisting(
  client: Client,
  index: string,
  opts: EnsureIndexOptions,
): Promise<IndexMeta> {
  const mapping = await readMapping(client, index);
  const meta = mapping._meta as IndexMeta | undefined;
  if (meta?.created_by !== 'rwb' || typeof meta.schema_version !== 'number') {
    throw incompatible(
      index,
      'was not created by Relevance Workbench (its mapping has no rwb _meta)',
    );
  }
  if (meta.schema_version !== INDEX_SCHEMA_VERSION) {
    throw incompatible(
      index,
      `has mapping schema version ${meta.schema_version}, this version of rwb needs ${INDEX_SCHEMA_VERSION}`,
    );
  }
  const dims = mappedDims(mapping);
  const wantText = opts.textDims ?? null;
  const wantImage = opts.imageDims ?? null;
  if (wantText !== null && dims.text !== null && dims.text !== wantText) {
    throw incompatible(
      index,
      `its title_embedding has ${dims.text} dims while the text model${opts.textModel ? ` ${opts.textModel}` : ''} gives ${wantText}`,
    );
  }
  if (wantImage !== null && dims.image !== null && dims.image !== wantImage) {
    throw incompatible(
      index,
      `its image_embedding.vector has ${dims.image} dims while the image model gives ${wantImage}`,
    );
  }
  if (opts.textModel && meta.text_model && opts.textModel !== meta.text_model) {
    throw incompatible(
      index,
      `holds vectors of text model ${meta.text_model}, not ${opts.textModel} (vectors of two models cannot be compared)`,
    );
  }
  if (opts.imageModel && meta.image_model && opts.imageModel !== meta.image_model) {
    throw incompatible(
      index,
      `holds vectors of image model ${meta.image_model}, not ${opts.imageModel}`,
    );
  }
  // First run with a model on an index made without one: remember which model the vectors come from.
  const learned: Partial<IndexMeta> = {};
  if (opts.textModel && !meta.text_model)
    Object.assign(learned, { text_model: opts.textModel, text_dims: wantText ?? dims.text });
  if (opts.imageModel && !meta.image_model)
    Object.assign(learned, { image_model: opts.imageModel, image_dims: wantImage ?? dims.image });
  if (Object.keys(learned).length === 0) return meta;
  const updated: IndexMeta = { ...meta, ...learned };
  await client.indices.putMapping({ index, _meta: updated as unknown as estypes.Metadata });
  return updated;
}

function isAlreadyExists(err: unknown): boolean {
  return (
    err instanceof errors.ResponseError &&
    err.body?.error?.type === 'resource_already_exists_exception'
  );
}

/**
 * Creates the index if it is missing (analysis detected on the cluster unless given), or verifies
 * that an existing one fits (rwb schema version, vector dims, models). `recreate` deletes it first.
 */
export async function ensureIndex(
  client: Client,
  opts: EnsureIndexOptions = {},
): Promise<EnsureIndexResult> {
  const index = opts.index ?? SEARCH_PRODUCTS_INDEX;
  const url = opts.url ?? 'the cluster';
  const textDims = validateDims(opts.textDims ?? null, 'title_embedding');
  const imageDims = validateDims(opts.imageDims ?? null, 'image_embedding.vector');
  try {
    let recreated = false;
    if (await client.indices.exists({ index })) {
      if (!opts.recreate) {
        const meta = await verifyExisting(client, index, opts);
        return {
          index,
          created: false,
          recreated: false,
          meta,
          analysisSummary: summarizeAnalysis(meta.analysis as AnalysisChoice),
        };
      }
      await client.indices.delete({ index });
      recreated = true;
    }
    const analysis = opts.analysis ?? (await detectAnalysis(client, {}, url));
    const body = buildIndexBody({
      textDims,
      imageDims,
      analysis,
      textModel: opts.textModel,
      imageModel: opts.imageModel,
    });
    try {
      await client.indices.create({
        index,
        settings: body.settings,
        mappings: body.mappings,
        wait_for_active_shards: 1,
      });
    } catch (err) {
      // Someone created it between our check and our create: verify theirs instead.
      if (!isAlreadyExists(err)) throw err;
      const meta = await verifyExisting(client, index, opts);
      return {
        index,
        created: false,
        recreated,
        meta,
        analysisSummary: summarizeAnalysis(meta.analysis as AnalysisChoice),
      };
    }
    await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '60s' });
    const meta = body.mappings._meta as unknown as IndexMeta;
    return { index, created: true, recreated, meta, analysisSummary: summarizeAnalysis(analysis) };
  } catch (err) {
    throw esErrorToRwb(err, url, `creating or checking index ${index}`);
  }
}

/** Deletes the index; false when it did not exist. */
export async function deleteIndex(
  client: Client,
  index = SEARCH_PRODUCTS_INDEX,
  url = 'the cluster',
): Promise<boolean> {
  try {
    await client.indices.delete({ index });
    return true;
  } catch (err) {
    if (err instanceof errors.ResponseError && err.statusCode === 404) return false;
    throw esErrorToRwb(err, url, `deleting index ${index}`);
  }
}

const MAX_TENANTS_LISTED = 1000;

/** Document count, documents per tenant, `_meta` and vector dims of the index. */
export async function getIndexInfo(
  client: Client,
  index = SEARCH_PRODUCTS_INDEX,
  url = 'the cluster',
): Promise<IndexInfo> {
  try {
    if (!(await client.indices.exists({ index }))) {
      return {
        index,
        exists: false,
        docCount: 0,
        tenants: [],
        tenantsTruncated: false,
        meta: null,
        textDims: null,
        imageDims: null,
      };
    }
    const mapping = await readMapping(client, index);
    const res = await client.search<unknown, { tenants: estypes.AggregationsStringTermsAggregate }>(
      {
        index,
        size: 0,
        track_total_hits: true,
        aggs: { tenants: { terms: { field: 'tenant_id', size: MAX_TENANTS_LISTED } } },
      },
    );
    const total = res.hits.total;
    const buckets = (res.aggregations?.tenants.buckets ??
      []) as estypes.AggregationsStringTermsBucket[];
    const dims = mappedDims(mapping);
    return {
      index,
      exists: true,
      docCount: typeof total === 'number' ? total : (total?.value ?? 0),
      tenants: buckets.map((b) => ({ tenantId: String(b.key), docs: b.doc_count })),
      tenantsTruncated: (res.aggregations?.tenants.sum_other_doc_count ?? 0) > 0,
      meta: (mapping._meta as IndexMeta | undefined) ?? null,
      textDims: dims.text,
      imageDims: dims.image,
    };
  } catch (err) {
    throw esErrorToRwb(err, url, `reading index ${index}`);
  }
}

/**
 * Deletes every document of these tenants from a shared index (delete-by-query on tenant_id,
 * waiting for it to finish, then a refresh), leaving the other tenants and the index itself as
 * they are. Returns how many documents went. A version conflict (a document written meanwhile)
 * fails the call rather than leaving a half-emptied tenant behind unnoticed. Clusters without the
 * reindex module (rwb's own minimal local node has none) get the same result from search + bulk.
 */
export async function deleteTenantDocs(
  client: Client,
  index: string,
  tenantIds: readonly string[],
  url = 'the cluster',
): Promise<number> {
  if (tenantIds.length === 0) return 0;
  const what = `deleting the documents of tenant(s) ${tenantIds.join(', ')} from ${index}`;
  const query: estypes.QueryDslQueryContainer = { terms: { tenant_id: [...tenantIds] } };
  try {
    let res: estypes.DeleteByQueryResponse;
    try {
      res = await client.deleteByQuery({
        index,
        query,
        wait_for_completion: true,
        refresh: true,
        conflicts: 'abort',
      });
    } catch (err) {
      if (!isMissingEndpoint(err)) throw err;
      return await deleteBySearch(client, index, query, what);
    }
    const failures = res.failures ?? [];
    if (failures.length > 0) {
      throw new RwbError(
        'ES_ERROR',
        `${what} failed for ${failures.length} document(s): ${failures[0]!.cause?.reason ?? 'unknown reason'}`,
        { index },
      );
    }
    return res.deleted ?? 0;
  } catch (err) {
    if (err instanceof RwbError) throw err;
    throw esErrorToRwb(err, url, what);
  }
}

/** `_delete_by_query` lives in the reindex module; without it ES answers "no handler found". */
function isMissingEndpoint(err: unknown): boolean {
  if (!(err instanceof errors.ResponseError) || (err.statusCode !== 400 && err.statusCode !== 405)) return false;
  const error = (err.body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' && /no handler found|incorrect http method/i.test(error);
}

const DELETE_ROUND = 1000;

/** Search a round of matching ids, bulk-delete them with a refresh, until none match. */
async function deleteBySearch(
  client: Client,
  index: string,
  query: estypes.QueryDslQueryContainer,
  what: string,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const res = await client.search({ index, query, size: DELETE_ROUND, _source: false, track_total_hits: false });
    const ids = res.hits.hits.flatMap((h) => (h._id ? [h._id] : []));
    if (ids.length === 0) return deleted;
    const bulk = await client.bulk({
      refresh: true,
      operations: ids.map((id) => ({ delete: { _index: index, _id: id } })),
    });
    const failed = bulk.items.filter((i) => (i.delete?.status ?? 500) >= 400 && i.delete?.status !== 404);
    if (failed.length > 0) {
      throw new RwbError(
        'ES_ERROR',
        `${what} failed for ${failed.length} document(s): ${failed[0]!.delete?.error?.reason ?? 'unknown reason'}`,
        { index },
      );
    }
    deleted += ids.length;
  }
}
