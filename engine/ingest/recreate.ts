/**
 * What `--recreate` and `--recreate-index` remove before an ingest. The index is shared by every
 * tenant, so `recreate` is scoped to tenants: the requested ones, or without `--tenant` the tenants
 * the source holds (another merchant's documents are never collateral). Only `recreateIndex` drops
 * the index, and it says which tenants and how many documents went.
 */
import type { Client } from '@elastic/elasticsearch';
import { deleteTenantDocs, getIndexInfo } from '../es/index.ts';
import type { IngestOptions } from './options.ts';
import type { RecreateSummary } from './report.ts';
import { openIngestSource } from './sources.ts';
import { clearWatermarks } from './watermark.ts';

/** Tenants before an index drop (read before ensureIndex deletes it); null when not dropping. */
export async function tenantsBeforeDrop(client: Client, opts: IngestOptions): Promise<RecreateSummary | null> {
  if (!opts.recreateIndex) return null;
  const info = await getIndexInfo(client, opts.index, opts.es.url);
  return { scope: 'index', tenants: info.tenants };
}

/** Distinct tenant ids of the source (a read of the source; row problems are the main pass's to report). */
export async function sourceTenantIds(opts: IngestOptions): Promise<string[]> {
  const source = await openIngestSource(opts, null, () => undefined);
  const seen = new Set<string>();
  try {
    for await (const p of source.products()) {
      const id = p.spu?.tenant_id;
      if (id !== null && id !== undefined && String(id).trim() !== '') seen.add(String(id).trim());
    }
  } finally {
    await source.close();
  }
  return [...seen].sort();
}

/**
 * `recreate` on an existing index: deletes the documents of the tenants being re-ingested (waiting
 * for the delete-by-query and refreshing) and forgets their incremental watermarks, so the run that
 * follows is a full one and the tenant ends up with exactly what the source holds now.
 */
export async function clearTenantsForRecreate(client: Client, opts: IngestOptions): Promise<RecreateSummary> {
  const tenantIds = opts.tenantIds ?? (await sourceTenantIds(opts));
  const info = await getIndexInfo(client, opts.index, opts.es.url);
  const docsOf = new Map(info.tenants.map((t) => [t.tenantId, t.docs]));
  await deleteTenantDocs(client, opts.index, tenantIds, opts.es.url);
  await clearWatermarks(client, opts.index, tenantIds);
  return { scope: 'tenants', tenants: tenantIds.map((tenantId) => ({ tenantId, docs: docsOf.get(tenantId) ?? 0 })) };
}

export function describeRecreate(index: string, r: RecreateSummary): string {
  const list = r.tenants.length ? r.tenants.map((t) => `${t.tenantId} (${t.docs} docs)`).join(', ') : 'no tenants';
  return r.scope === 'index'
    ? `Index ${index} dropped and re-created; it held ${list}`
    : `Re-creating tenant(s) of ${index}: removed the documents of ${list}; other tenants untouched`;
}
