/**
 * Prometheus metrics of the search API in the text exposition format (version 0.0.4), written
 * here rather than with a client library: counters, gauges read at scrape time, and histograms
 * with cumulative `le` buckets are all `rwb serve` needs.
 */

export type Labels = Readonly<Record<string, string>>;

/** Seconds; from 1 ms to 10 s, denser where searches usually land. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}="${escapeLabelValue(labels[key]!)}"`)
    .join(',');
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

function sample(name: string, key: string, value: number): string {
  return `${name}${key === '' ? '' : `{${key}}`} ${formatNumber(value)}`;
}

interface Metric {
  readonly name: string;
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of [...this.values].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(sample(this.name, key, value));
    return lines;
  }
}

export interface GaugeSample {
  labels?: Labels;
  value: number;
}

/** A value read when Prometheus scrapes (cache sizes, hit counts kept elsewhere). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly read: () => GaugeSample[],
  ) {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`];
    for (const { labels, value } of this.read())
      lines.push(sample(this.name, labelKey(labels ?? {}), value));
    return lines;
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Per bucket (not cumulative); the last slot counts values above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`${name}: buckets must increase`);
    }
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels,
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    let slot = this.buckets.findIndex((bound) => value <= bound);
    if (slot < 0) slot = this.buckets.length;
    series.counts[slot]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** Observations so far with these labels. */
  count(labels: Labels): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    const ordered = [...this.series].sort(([a], [b]) => a.localeCompare(b));
    for (const [key, series] of ordered) {
      let cumulative = 0;
      const bounds = [...this.buckets, Number.POSITIVE_INFINITY];
      bounds.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        const le = labelKey({ ...series.labels, le: formatNumber(bound) });
        lines.push(sample(`${this.name}_bucket`, le, cumulative));
      });
      lines.push(sample(`${this.name}_sum`, key, series.sum));
      lines.push(sample(`${this.name}_count`, key, series.count));
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  private add<T extends Metric>(metric: T): T {
    if (!NAME.test(metric.name)) throw new Error(`Invalid metric name "${metric.name}"`);
    if (this.metrics.has(metric.name)) throw new Error(`Metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  gauge(name: string, help: string, read: () => GaugeSample[]): Gauge {
    return this.add(new Gauge(name, help, read));
  }

  /** The exposition text (`Content-Type: text/plain; version=0.0.4`). */
  render(): string {
    return `${[...this.metrics.values()].flatMap((metric) => metric.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
