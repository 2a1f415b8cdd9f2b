/**
 * Human-readable tables for `rwb eval`, `rwb tune` and `rwb experiments`: pure functions from
 * results to text, so they are tested without a terminal.
 */
import type { RunComparison } from '../../eval/compare.ts';
import type { RunResult } from '../../eval/compare-run-result.ts';
import { describeRobustness } from '../../eval/compare-robustness.ts';
import { metricRanges, runCoverage } from '../../eval/run-unjudged.ts';
import type { VerifyReport } from '../../eval/verify.ts';

export type Align = 'left' | 'right';

/** Columns padded to their widest cell; numbers right-aligned by default. */
export function formatTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: readonly Align[] = [],
): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) =>
        (align[c] ?? (c === 0 ? 'left' : 'right')) === 'left'
          ? cell.padEnd(widths[c]!)
          : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function num(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

export function signed(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

function ms(value: number): string {
  return value.toFixed(1);
}

/** One row per run: metric means, query counts, latency. */
export function formatRunsTable(runs: ReadonlyArray<{ label: string; result: RunResult }>): string {
  const metrics = [...new Set(runs.flatMap((r) => r.result.metrics))];
  const unrated = [
    ...new Set(
      runs.flatMap((r) => Object.keys(r.result.means).filter((m) => m.startsWith('unrated@'))),
    ),
  ].filter((m) => !metrics.includes(m));
  const headers = [
    'config',
    'revision',
    ...metrics,
    ...unrated,
    'valid',
    'excluded',
    'failed',
    'took ms',
    'p95',
    'total ms',
  ];
  const rows = runs.map(({ label, result }) => [
    label,
    result.revisionId,
    ...[...metrics, ...unrated].map((m) => num(result.means[m], m.startsWith('unrated@') ? 2 : 4)),
    `${result.validQueries}/${result.queries.length}`,
    String(result.excluded.length),
    String(result.failedQueries.length),
    ms(result.latency.tookMs.mean),
    ms(result.latency.tookMs.p95),
    ms(result.latency.totalMs.mean),
  ]);
  return formatTable(headers, rows, ['left', 'left']);
}

/**
 * What the metrics do not know: per config × quality metric the standard mean (= the lower bound,
 * unjudged = 0), the condensed-list mean, the upper bound (unjudged = top grade) and the judged
 * coverage of the top k; then a warning per config whose coverage is below `minCoverage`.
 */
export function formatUnjudgedTable(
  runs: ReadonlyArray<{ label: string; result: RunResult }>,
  minCoverage?: number,
): string {
  const rows = runs.flatMap(({ label, result }) => {
    const coverage = runCoverage(result, { ...(minCoverage !== undefined && { minCoverage }) });
    return metricRanges(result).map((r) => [
      label,
      r.metric,
      num(r.value),
      num(r.condensed),
      `${num(r.value)} – ${num(r.upper)}`,
      `${num(coverage.coverage, 2)}${coverage.low ? ' !' : ''}`,
    ]);
  });
  const lines = [
    'Unjudged hits: standard mean (unjudged = 0), condensed lists (unjudged removed), bounds (unjudged = 0 … top grade), judged coverage of the top k:',
    formatTable(['config', 'metric', 'standard', 'condensed', 'bounds', 'coverage'], rows, [
      'left',
      'left',
    ]),
  ];
  for (const { label, result } of runs) {
    const coverage = runCoverage(result, { ...(minCoverage !== undefined && { minCoverage }) });
    if (coverage.warning) lines.push(`warning: ${label}: ${coverage.warning}`);
  }
  return lines.join('\n');
}

/** Means per detected query language, one row per config × language. */
export function formatLanguageTable(
  runs: ReadonlyArray<{ label: string; result: RunResult }>,
  metric: string,
): string {
  const rows = runs.flatMap(({ label, result }) =>
    Object.entries(result.byLanguage).map(([language, b]) => [
      label,
      language,
      String(b.queries),
      String(b.validQueries),
      num(b.means[metric]),
    ]),
  );
  return formatTable(['config', 'language', 'queries', 'valid', metric], rows, ['left', 'left']);
}

/** The comparison of B against A: means, wins/losses/ties, significance, overlap, top movers. */
export function formatComparison(
  c: RunComparison,
  labelA: string,
  labelB: string,
  movers = 5,
): string {
  const lines = [
    `Comparison on ${c.metric}: ${labelB} vs ${labelA} (baseline), ${c.pairs} paired queries`,
    `  mean ${num(c.meanA)} → ${num(c.meanB)}  (Δ ${signed(c.meanDelta)})` +
      (c.interval
        ? `  ${Math.round(c.interval.confidence * 100)}% CI [${signed(c.interval.lower)}, ${signed(c.interval.upper)}]`
        : ''),
    `  wins ${c.wins} · losses ${c.losses} · ties ${c.ties}`,
    `  paired randomization test: p = ${pValue(c.significance?.pValue)}` +
      ` → ${c.significant ? `significant at α = ${c.alpha}` : `not significant at α = ${c.alpha}`}`,
    `  rank overlap @${c.overlap.k}: Jaccard ${num(c.overlap.meanJaccard, 3)} · RBO(p=${c.overlap.p}) ${num(c.overlap.meanRbo, 3)}`,
    `  facet counts changed for ${c.facetChanges} quer${c.facetChanges === 1 ? 'y' : 'ies'}`,
    c.robustness
      ? `  unjudged hits: ${describeRobustness(c.robustness, { a: labelA, b: labelB })}`
      : '  unjudged hits: no condensed / upper values recorded for these runs',
  ];
  if (c.onlyInA.length + c.onlyInB.length > 0) {
    lines.push(`  only in ${labelA}: ${c.onlyInA.length} · only in ${labelB}: ${c.onlyInB.length}`);
  }
  const scored = c.queries.filter((q) => q.delta !== null);
  const worst = [...scored]
    .sort((a, b) => a.delta! - b.delta!)
    .slice(0, movers)
    .filter((q) => q.delta! < 0);
  const best = [...scored]
    .sort((a, b) => b.delta! - a.delta!)
    .slice(0, movers)
    .filter((q) => q.delta! > 0);
  const moverRows = [...best, ...worst].map((q) => [
    q.query,
    q.language,
    num(q.scoreA),
    num(q.scoreB),
    signed(q.delta),
    num(q.rbo, 3),
  ]);
  if (moverRows.length > 0) {
    lines.push('', 'Biggest changes:');
    lines.push(
      formatTable(['query', 'lang', labelA, labelB, 'Δ', 'RBO'], moverRows, ['left', 'left']),
    );
  }
  return lines.join('\n');
}

export function formatVerification(reports: readonly VerifyReport[]): string {
  const rows = reports.flatMap((r) =>
    r.metrics.map((m) => [
      r.revisionId,
      m.metric,
      Object.keys(m.esMetric)[0] ?? '',
      String(m.queries),
      m.maxAbsDiff.toExponential(2),
      String(m.mismatches.length),
      String(m.esFailures.length),
      m.agrees ? 'agrees' : 'DIFFERS',
    ]),
  );
  const skipped = reports.flatMap((r) => r.skipped.map((s) => `${s.metric} (${s.reason})`));
  const lines = [
    `Verification against ES _rank_eval (tolerance ${reports[0]?.tolerance ?? 1e-9}):`,
    formatTable(
      ['revision', 'metric', 'ES metric', 'queries', 'max |Δ|', 'mismatches', 'ES failures', ''],
      rows,
      ['left', 'left', 'left'],
    ),
  ];
  if (skipped.length > 0) lines.push(`not verifiable: ${[...new Set(skipped)].join(', ')}`);
  for (const r of reports) {
    for (const m of r.metrics) {
      for (const x of m.mismatches.slice(0, 5)) {
        lines.push(
          `  ${r.revisionId} ${m.metric} "${x.query}": ours ${x.ours} vs ES ${x.es} (unrated ${x.unratedOurs} vs ${x.unratedEs})`,
        );
      }
    }
  }
  return lines.join('\n');
}
