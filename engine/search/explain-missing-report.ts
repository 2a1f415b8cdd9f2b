/** Words for a diagnosis (explain-missing.ts): filters as the user wrote them, and the summary sentences. */
import type { ExplainMissing } from './explain-missing-schema.ts';
import type { NormalizedFilter } from './filters.ts';

export function describeFilter(filter: NormalizedFilter): string {
  switch (filter.kind) {
    case 'terms':
      return `${filter.field.path} = ${filter.values.map(String).join(' | ')}`;
    case 'range': {
      const { gte, lte, gt, lt } = filter.range as Record<string, unknown>;
      const low = gte ?? gt;
      const high = lte ?? lt;
      return `${filter.field.path} in ${low === undefined ? '' : String(low)}..${high === undefined ? '' : String(high)}`;
    }
    case 'specification':
      return `specifications.${filter.name} = ${filter.values.join(' | ')}`;
  }
}

/** The product's own values for what a filter tests (from `_source`). */
export function filterValues(source: Record<string, unknown>, filter: NormalizedFilter): string[] {
  if (filter.kind === 'specification') {
    const specs = Array.isArray(source.specifications) ? source.specifications : [];
    return specs
      .filter((s): s is { name: unknown; value: unknown } => typeof s === 'object' && s !== null)
      .filter((s) => s.name === filter.name)
      .map((s) => String(s.value));
  }
  let value: unknown = source;
  for (const segment of filter.field.path.split('.')) {
    value =
      value !== null && typeof value === 'object' && Object.hasOwn(value, segment)
        ? (value as Record<string, unknown>)[segment]
        : undefined;
  }
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

const fmt = (value: number): string => String(Math.round(value * 1000) / 1000);

/** The diagnosis in sentences, the most telling first. */
export function diagnosisSummary(
  result: ExplainMissing,
  weakFields: string | null,
  textMatched: boolean,
): string[] {
  const lines: string[] = [];
  switch (result.status) {
    case 'in_top_k':
      lines.push(`rank ${result.rank}: it is in the top ${result.k}`);
      break;
    case 'beyond_k':
      lines.push(`rank ${result.rank} of ${result.matched} matches (top ${result.k} wanted)`);
      break;
    case 'beyond_depth':
      lines.push(
        result.fusion === 'sum'
          ? `matched, but ranked below ${result.depth} (of ${result.matched} matches)`
          : `matched, but outside the windows the ${result.fusion} fusion ranks`,
      );
      break;
    case 'not_matched':
      lines.push('not matched');
      break;
  }
  for (const failure of result.failures) {
    if (failure.clause === 'filter')
      lines.push(
        `filtered out by ${failure.wants} (it has ${failure.has.join(', ') || 'no value'})`,
      );
    else if (failure.clause === 'text') lines.push(`lexical not matched: ${failure.detail}`);
    else
      lines.push(
        failure.knnRank === null
          ? `kNN: not within the ${result.depth} nearest products`
          : `kNN rank ${failure.knnRank}, beyond the kNN clause's k = ${failure.k}`,
      );
  }
  if (result.knn !== null && result.knn.rank !== null && result.knn.rank <= result.knn.k)
    lines.push(
      `kNN rank ${result.knn.rank} (cosine ${fmt(result.knn.cosine ?? 0)})${textMatched ? '' : ', lexical not matched'}`,
    );
  if (weakFields !== null && result.status !== 'in_top_k') lines.push(weakFields);
  for (const hint of result.stemming)
    lines.push(`stemming: query \`${hint.query}\`, ${hint.field} \`${hint.product}\``);
  const weakest = result.explain.parts.filter((p) => p.delta < 0).slice(0, 3);
  if (result.kth !== null && weakest.length > 0 && result.status !== 'in_top_k')
    lines.push(
      `against #${result.kth.rank} (${result.kth.spuId}): ${weakest
        .map((p) => `${p.part} ${fmt(p.target)} vs ${fmt(p.kth)}`)
        .join(', ')}`,
    );
  for (const source of result.sources)
    lines.push(
      `${source.source}: rank ${source.targetRank ?? '–'} (k-th hit: ${source.kthRank ?? '–'}), contributes ${fmt(source.targetContribution)} vs ${fmt(source.kthContribution)}`,
    );
  return lines;
}
