/**
 * Sort expressions (`price:asc`, `_score`, `create_time:desc`, or a sort option id of the config)
 * → ES sort. A final `spu_id` tie-break keeps pages stable: equal scores would otherwise come back
 * in index order, which changes as segments merge.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import { requireField, type SearchFieldCatalog } from './fields.ts';
import type { SearchRequest } from './request-schema.ts';

export interface ResolvedSort {
  sort: estypes.SortCombinations[];
  /** The expressions after option ids and aliases were expanded (for query info). */
  expressions: string[];
  /** No `_score` in the sort: ES must be asked to compute scores anyway (track_scores). */
  needsTrackScores: boolean;
}

const TIE_BREAK_FIELD = 'spu_id';
const SORT_EXPRESSION = /^([A-Za-z_][A-Za-z0-9_.]*)(?::(asc|desc))?$/;

export function resolveSort(
  requested: SearchRequest['sort'],
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): ResolvedSort {
  const asked =
    requested === undefined
      ? config.sort.default
      : Array.isArray(requested)
        ? requested
        : [requested];
  const expanded: Array<{ text: string; where: string }> = [];
  asked.forEach((text, i) => {
    const where =
      requested === undefined
        ? `sort.default[${i}]`
        : Array.isArray(requested)
          ? `sort[${i}]`
          : 'sort';
    const option = config.sort.options.find((candidate) => candidate.id === text);
    if (option !== undefined) option.by.forEach((by) => expanded.push({ text: by, where }));
    else expanded.push({ text: text.trim(), where });
  });

  const sort: estypes.SortCombinations[] = [];
  const expressions: string[] = [];
  const seen = new Set<string>();
  let byScore = false;
  for (const { text, where } of expanded) {
    const match = SORT_EXPRESSION.exec(text);
    if (match === null) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: "${text}" is not a sort; use "_score", "field:asc", "field:desc" or a sort option id (${config.sort.options.map((o) => o.id).join(', ') || 'none configured'})`,
        { where },
      );
    }
    const [, name, direction] = match as unknown as [string, string, 'asc' | 'desc' | undefined];
    if (name === '_score') {
      if (seen.has('_score')) continue;
      seen.add('_score');
      byScore = true;
      sort.push({ _score: { order: direction ?? 'desc' } });
      expressions.push(`_score:${direction ?? 'desc'}`);
      continue;
    }
    const field = requireField(catalog, name, 'sort', where);
    if (seen.has(field.path)) continue;
    seen.add(field.path);
    const order = direction ?? 'asc';
    const options: estypes.SortOptions = {
      [field.path]:
        field.nestedPath === null
          ? { order, missing: '_last' }
          : {
              order,
              missing: '_last',
              mode: order === 'asc' ? 'min' : 'max',
              nested: { path: field.nestedPath },
            },
    };
    sort.push(options);
    expressions.push(`${field.path}:${order}`);
  }
  if (!seen.has(TIE_BREAK_FIELD)) sort.push({ [TIE_BREAK_FIELD]: { order: 'asc' } });
  return { sort, expressions, needsTrackScores: !byScore };
}
