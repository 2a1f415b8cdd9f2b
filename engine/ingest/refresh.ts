/**
 * Bulk ingest with refresh switched off. With the default 1 s refresh, ES writes a small segment
 * every second and keeps merging them — and merging segments rebuilds their HNSW vector graphs,
 * the most expensive work in the index. Suspending refresh for the run lets ES flush a few large
 * segments instead; the setting is put back (and the index refreshed) when the run ends.
 */
import type { Client } from '@elastic/elasticsearch';

/** Turns refresh off; returns the function that restores it. A "-1" found here is treated as
 * left over from a run that died, and restored to the default. */
export async function suspendRefresh(client: Client, index: string): Promise<() => Promise<void>> {
  const res = await client.indices.getSettings({ index, flat_settings: true });
  const current = Object.values(res)[0]?.settings?.['index.refresh_interval'] as string | undefined;
  const restoreTo = current && current !== '-1' ? current : null;
  await client.indices.putSettings({ index, settings: { 'index.refresh_interval': '-1' } });
  return async () => {
    await client.indices.putSettings({ index, settings: { 'index.refresh_interval': restoreTo } });
  };
}
