/**
 * Caches that outlive one evaluation run: the live metric (tune.preview) evaluates the same query
 * set again at every slider move, and most of its work does not change between two moves — the
 * parse of every query, and with fusion every sub-search the moved lever does not touch (a fusion
 * weight moves no sub-search at all; a field boost moves the lexical one, never the kNN one).
 *
 * The answers stay true only while the index does: they are kept per index together with its
 * generation (each concrete index's uuid, write and refresh counters, from one `_stats` call of a
 * few milliseconds), and dropped as soon as it differs — an ingest, a delete or a refresh of new
 * writes, by this process or any other.
 */
import type { Client } from '@elastic/elasticsearch';
import { createParseCache, type ParseCache } from './runner-prepare.ts';
import { createResponseCache, type ResponseCache } from './runner-dispatch.ts';

export interface RunCaches {
  readonly responses: ResponseCache;
  readonly parses: ParseCache;
}

interface Generation {
  readonly token: string;
  readonly caches: RunCaches;
}

interface IndexStatsAnswer {
  indices?: Record<
    string,
    {
      uuid?: string;
      primaries?: {
        indexing?: { index_total?: number; delete_total?: number };
        refresh?: { total?: number; external_total?: number };
      };
    }
  >;
}

/**
 * What identifies the searchable content of `index` (an index, alias or pattern): per concrete
 * index its uuid, documents indexed and deleted, and refreshes; null when it cannot be read.
 */
export async function indexGeneration(
  client: Client,
  index: string,
  signal?: AbortSignal,
): Promise<string | null> {
  try {
    const answer = (await client.indices.stats(
      {
        index,
        metric: ['indexing', 'refresh'],
        filter_path: [
          'indices.*.uuid',
          'indices.*.primaries.indexing.index_total',
          'indices.*.primaries.indexing.delete_total',
          'indices.*.primaries.refresh.total',
          'indices.*.primaries.refresh.external_total',
        ],
      },
      { maxRetries: 0, ...(signal && { signal }) },
    )) as IndexStatsAnswer;
    const parts = Object.entries(answer.indices ?? {})
      .map(([name, stats]) => {
        const p = stats.primaries;
        return [
          name,
          stats.uuid ?? '',
          p?.indexing?.index_total ?? -1,
          p?.indexing?.delete_total ?? -1,
          p?.refresh?.total ?? -1,
          p?.refresh?.external_total ?? -1,
        ].join(':');
      })
      .sort();
    return parts.length === 0 ? null : parts.join('|');
  } catch {
    return null;
  }
}

export interface IndexBoundCachesOptions {
  /** Sub-search answers kept per index (LRU). Default 5,000: a 100-query set's lexical and kNN lists at ~25 slider positions. */
  readonly responses?: number;
  /** Parsed queries kept per index (LRU). Default 5,000. */
  readonly parses?: number;
}

/** Run caches per index, valid while its generation holds. */
export class IndexBoundCaches {
  private readonly byIndex = new Map<string, Generation>();

  constructor(private readonly options: IndexBoundCachesOptions = {}) {}

  /**
   * The caches for a run on `index` now: the kept ones when the index has not changed since they
   * were filled, else new ones (kept for the next run); fresh unkept ones when its generation
   * cannot be read (no cluster, no index: the run itself will say so).
   */
  async forIndex(client: Client, index: string, signal?: AbortSignal): Promise<RunCaches> {
    const token = await indexGeneration(client, index, signal);
    if (token === null) {
      this.byIndex.delete(index);
      return this.fresh();
    }
    const kept = this.byIndex.get(index);
    if (kept !== undefined && kept.token === token) return kept.caches;
    const caches = this.fresh();
    this.byIndex.set(index, { token, caches });
    return caches;
  }

  clear(): void {
    this.byIndex.clear();
  }

  private fresh(): RunCaches {
    return {
      responses: createResponseCache(this.options.responses ?? 5_000),
      parses: createParseCache(this.options.parses ?? 5_000),
    };
  }
}
