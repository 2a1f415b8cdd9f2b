/** The metrics `rwb serve` exports, on one registry. */
import { MetricsRegistry, type Counter, type Histogram } from './metrics.ts';
import type { SearchStage } from './search-service.ts';

export interface VectorCacheStats {
  size: number;
  hits: number;
  misses: number;
}

export class ServeMetrics {
  readonly registry = new MetricsRegistry();
  readonly requests: Counter;
  readonly requestDuration: Histogram;
  readonly stageDuration: Histogram;
  readonly refused: Counter;
  private vectorCache: () => VectorCacheStats | null = () => null;

  constructor() {
    this.requests = this.registry.counter(
      'rwb_http_requests_total',
      'HTTP requests by method, route (the route pattern, "unmatched" for unknown paths) and status code',
    );
    this.requestDuration = this.registry.histogram(
      'rwb_http_request_duration_seconds',
      'Time from request to response, by method and route',
    );
    this.refused = this.registry.counter(
      'rwb_http_refused_total',
      'Requests refused before routing, by reason: the status answered for what the HTTP parser rejected (400, 408 timeout, 414, 431), "max_connections" for connections closed over the limit',
    );
    this.stageDuration = this.registry.histogram(
      'rwb_search_stage_duration_seconds',
      'Time per search stage: parse (rewrite, parse, detect, translate, build), embed (query vector or uploaded image), es (Elasticsearch round trip), format',
    );
    this.registry.gauge(
      'rwb_query_vector_cache_entries',
      'Query vectors held in the LRU cache',
      () => this.cacheSample((stats) => stats.size),
    );
    this.registry.gauge(
      'rwb_query_vector_cache_hits',
      'Query vectors served from the cache since start',
      () => this.cacheSample((stats) => stats.hits),
    );
    this.registry.gauge(
      'rwb_query_vector_cache_misses',
      'Query vectors computed by the model since start',
      () => this.cacheSample((stats) => stats.misses),
    );
  }

  private cacheSample(pick: (stats: VectorCacheStats) => number): Array<{ value: number }> {
    const stats = this.vectorCache();
    return stats === null ? [] : [{ value: pick(stats) }];
  }

  watchVectorCache(read: () => VectorCacheStats | null): void {
    this.vectorCache = read;
  }

  readonly observeStage = (stage: SearchStage, seconds: number): void => {
    this.stageDuration.observe({ stage }, seconds);
  };

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestDuration.observe({ method, route }, seconds);
  }

  readonly observeRefusal = (reason: string): void => {
    this.refused.inc({ reason });
  };

  render(): string {
    return this.registry.render();
  }
}
