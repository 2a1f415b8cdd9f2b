/**
 * Incremental sync state lives in the index's own `_meta` (so `--recreate-index` resets it, `--recreate`
 * forgets the re-created tenants' entries, and every
 * machine that ingests into the same index sees it): `_meta.rwb_sync[sourceKey][tenant] = ISO time`
 * of the newest update_time that was fully synced.
 */
import type { Client } from '@elastic/elasticsearch';

type SyncMeta = Record<string, Record<string, string>>;

async function readSyncMeta(client: Client, index: string): Promise<SyncMeta> {
  const res = await client.indices.getMapping({ index });
  const meta = Object.values(res)[0]?.mappings?._meta as { rwb_sync?: SyncMeta } | undefined;
  return meta?.rwb_sync ?? {};
}

/** The lower bound for an incremental run: the oldest watermark among the requested tenants. */
export async function readWatermark(
  client: Client,
  index: string,
  sourceKey: string,
  tenantIds: string[] | undefined,
): Promise<Date | null> {
  const perTenant = (await readSyncMeta(client, index))[sourceKey] ?? {};
  const keys = tenantIds ?? ['*'];
  let oldest: Date | null = null;
  for (const t of keys) {
    const value = perTenant[t];
    if (!value) return null; // a tenant never synced: nothing to be incremental about
    const d = new Date(value);
    if (oldest === null || d < oldest) oldest = d;
  }
  return oldest;
}

export async function writeWatermark(
  client: Client,
  index: string,
  sourceKey: string,
  tenantIds: string[] | undefined,
  at: Date,
): Promise<void> {
  const res = await client.indices.getMapping({ index });
  const meta = (Object.values(res)[0]?.mappings?._meta ?? {}) as Record<string, unknown> & { rwb_sync?: SyncMeta };
  const sync: SyncMeta = { ...(meta.rwb_sync ?? {}) };
  const perTenant = { ...(sync[sourceKey] ?? {}) };
  for (const t of tenantIds ?? ['*']) perTenant[t] = at.toISOString();
  sync[sourceKey] = perTenant;
  // put_mapping replaces _meta as a whole, so the rest of it is written back unchanged.
  await client.indices.putMapping({ index, _meta: { ...meta, rwb_sync: sync } });
}

/**
 * Forgets the watermarks that cover these tenants (their own, and the all-tenants `*` one, which
 * covered them too) for every source, after their documents were deleted for a re-create.
 */
export async function clearWatermarks(client: Client, index: string, tenantIds: readonly string[]): Promise<void> {
  const res = await client.indices.getMapping({ index });
  const meta = (Object.values(res)[0]?.mappings?._meta ?? {}) as Record<string, unknown> & { rwb_sync?: SyncMeta };
  if (!meta.rwb_sync) return;
  const drop = new Set([...tenantIds, '*']);
  const sync: SyncMeta = Object.fromEntries(
    Object.entries(meta.rwb_sync).map(([sourceKey, perTenant]) => [
      sourceKey,
      Object.fromEntries(Object.entries(perTenant).filter(([t]) => !drop.has(t))),
    ]),
  );
  await client.indices.putMapping({ index, _meta: { ...meta, rwb_sync: sync } });
}
