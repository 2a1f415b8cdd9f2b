/**
 * Ranking-only searches (fusion sub-searches, the evaluator's requests, explain-missing's deep
 * rankings) need each hit's identity and score, nothing else. Reading `_source` or even `_id`
 * means decompressing the stored-fields block of every hit: over a 100-hit fusion window that is
 * most of the cost of the search (bench/slider-latency.ts: 2.5–3.5× slower on Icecat). Doc
 * values of `tenant_id` and `spu_id` (keywords in every index rwb creates) give the same identity
 * from column storage.
 */
import type { estypes } from '@elastic/elasticsearch';
import { docId } from '../catalog/types.ts';

/** The body fields of a search that returns ids (from doc values) and scores only. */
export const ID_ONLY_FETCH = {
  _source: false,
  stored_fields: '_none_',
  docvalue_fields: ['tenant_id', 'spu_id'],
} as const satisfies Pick<estypes.SearchRequest, '_source' | 'stored_fields' | 'docvalue_fields'>;

/** `request` made to return ids and scores only: no `_source`, highlights or stored fields. */
export function idOnlyRequest(request: estypes.SearchRequest): estypes.SearchRequest {
  const {
    highlight: _highlight,
    _source: _ignored,
    stored_fields: _stored,
    docvalue_fields: _docvalues,
    fields: _fields,
    ...rest
  } = request;
  return { ...rest, ...ID_ONLY_FETCH, docvalue_fields: [...ID_ONLY_FETCH.docvalue_fields] };
}

function firstValue(fields: Record<string, unknown> | undefined, name: string): string | null {
  const values = fields?.[name];
  const value = Array.isArray(values) ? values[0] : undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/**
 * The document `_id` (`tenant:spu_id`) of a hit: `_id` when the hit carries it, else built from
 * the `tenant_id` / `spu_id` doc values an id-only search returns; '' when it has neither.
 */
export function hitIdOf(hit: estypes.SearchHit<unknown>): string {
  if (hit._id !== undefined && hit._id !== null) return hit._id;
  const fields = hit.fields as Record<string, unknown> | undefined;
  const tenant = firstValue(fields, 'tenant_id');
  const spu = firstValue(fields, 'spu_id');
  return tenant !== null && spu !== null ? docId(tenant, spu) : '';
}

/**
 * The product id (`spu_id`) of a hit within `tenantId`: the `spu_id` doc value or `_source`
 * field, else `_id` without its `tenant:` prefix.
 */
export function hitSpuIdOf(hit: estypes.SearchHit<unknown>, tenantId: string): string {
  const fromDocValues = firstValue(hit.fields as Record<string, unknown> | undefined, 'spu_id');
  if (fromDocValues !== null) return fromDocValues;
  const spu = (hit._source as { spu_id?: unknown } | undefined)?.spu_id;
  if (typeof spu === 'string' && spu !== '') return spu;
  if (typeof spu === 'number') return String(spu);
  const id = hit._id ?? '';
  const prefix = `${tenantId}:`;
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}
