/** Prometheus text exposition written by engine/serve/metrics.ts, checked line by line. */
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../engine/serve/metrics.ts';
import { ServeMetrics } from '../../engine/serve/serve-metrics.ts';

describe('Prometheus exposition', () => {
  it('renders counters with sorted, escaped labels', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('rwb_test_total', 'Test counter\nwith a newline');
    counter.inc({ route: '/search', status: '200' });
    counter.inc({ status: '200', route: '/search' }, 2);
    counter.inc({ route: 'a"b\\c', status: '400' });
    expect(counter.get({ route: '/search', status: '200' })).toBe(3);
    expect(registry.render()).toBe(
      [
        '# HELP rwb_test_total Test counter\\nwith a newline',
        '# TYPE rwb_test_total counter',
        'rwb_test_total{route="/search",status="200"} 3',
        'rwb_test_total{route="a\\"b\\\\c",status="400"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('rwb_latency_seconds', 'Latency', [0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe({ stage: 'es' }, value);
    expect(histogram.count({ stage: 'es' })).toBe(4);
    expect(registry.render().split('\n')).toEqual([
      '# HELP rwb_latency_seconds Latency',
      '# TYPE rwb_latency_seconds histogram',
      'rwb_latency_seconds_bucket{le="0.1",stage="es"} 2',
      'rwb_latency_seconds_bucket{le="1",stage="es"} 3',
      'rwb_latency_seconds_bucket{le="+Inf",stage="es"} 4',
      'rwb_latency_seconds_sum{stage="es"} 3.65',
      'rwb_latency_seconds_count{stage="es"} 4',
      '',
    ]);
  });

  it('refuses bad names, duplicates and unsorted buckets', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('bad-name', 'x')).toThrow(/Invalid metric name/);
    registry.counter('ok_total', 'x');
    expect(() => registry.counter('ok_total', 'x')).toThrow(/registered twice/);
    expect(() => registry.histogram('h', 'x', [1, 0.5])).toThrow(/buckets must increase/);
  });

  it('reads gauges at scrape time', () => {
    const metrics = new ServeMetrics();
    expect(metrics.render()).not.toMatch(/^rwb_query_vector_cache_hits /m);
    let hits = 3;
    metrics.watchVectorCache(() => ({ size: 2, hits, misses: 1 }));
    expect(metrics.render()).toMatch(/^rwb_query_vector_cache_hits 3$/m);
    hits = 7;
    expect(metrics.render()).toMatch(/^rwb_query_vector_cache_hits 7$/m);
    metrics.observeStage('parse', 0.002);
    metrics.observeRequest('POST', '/search', 200, 0.01);
    const text = metrics.render();
    expect(text).toMatch(/^rwb_search_stage_duration_seconds_count\{stage="parse"\} 1$/m);
    expect(text).toMatch(
      /^rwb_http_requests_total\{method="POST",route="\/search",status="200"\} 1$/m,
    );
  });
});
