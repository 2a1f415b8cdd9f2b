/**
 * Score functions (seed §5.2 "function_score 包装召回部分"): the config's enabled ranking
 * functions wrap the text recall in a function_score; the expression's additive signals
 * (`timeliness(create_time)`, `field_value(total_inventory)`) become optional clauses whose score
 * is only the function, so they add to the text score as the expression says.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { RankingFunction, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import { isDateType, isNumericType, type SearchFieldCatalog } from './fields.ts';
import type { AdditiveSignal } from './ranking-expression.ts';

type Query = estypes.QueryDslQueryContainer;
type ScoreFunction = estypes.QueryDslFunctionScoreContainer;

/** Numeric decay fields take numbers for origin/scale/offset; dates take strings (`now`, `30d`). */
function decayValue(value: string, numeric: boolean, where: string): string | number {
  if (!numeric) return value;
  const number = Number(value);
  if (!Number.isFinite(number)) {
    throw new RwbError(
      'INVALID_CONFIG',
      `${where}: "${value}" must be a number for a numeric field`,
    );
  }
  return number;
}

export function buildScoreFunction(
  fn: RankingFunction,
  catalog: SearchFieldCatalog,
  where: string,
): ScoreFunction {
  if (fn.type === 'decay') {
    const field = catalog.get(fn.field);
    if (field === undefined || !(isDateType(field.type) || isNumericType(field.type))) {
      throw new RwbError(
        'INVALID_CONFIG',
        `${where}.field: "${fn.field}" must be a date or number field of the index mapping`,
      );
    }
    const numeric = isNumericType(field.type);
    const placement: estypes.QueryDslDecayPlacement = {
      origin: decayValue(fn.origin, numeric, `${where}.origin`),
      scale: decayValue(fn.scale, numeric, `${where}.scale`),
      offset: decayValue(fn.offset, numeric, `${where}.offset`),
      decay: fn.decay,
    };
    return { [fn.curve]: { [fn.field]: placement }, weight: fn.weight } as ScoreFunction;
  }
  const field = catalog.get(fn.field);
  if (field === undefined || !isNumericType(field.type)) {
    throw new RwbError(
      'INVALID_CONFIG',
      `${where}.field: "${fn.field}" must be a number field of the index mapping`,
    );
  }
  return {
    field_value_factor: {
      field: fn.field,
      factor: fn.factor,
      modifier: fn.modifier,
      missing: fn.missing,
    },
    weight: fn.weight,
  };
}

/** Wraps `recall` in a function_score with the enabled functions; unchanged when none is enabled. */
export function withRankingFunctions(
  recall: Query,
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): Query {
  const functions = config.ranking.functions.flatMap((fn, i) =>
    fn.enabled ? [buildScoreFunction(fn, catalog, `ranking.functions[${i}]`)] : [],
  );
  if (functions.length === 0) return recall;
  return {
    function_score: {
      query: recall,
      functions,
      score_mode: config.ranking.scoreMode,
      boost_mode: config.ranking.boostMode,
    },
  };
}

const DEFAULT_TIMELINESS = {
  curve: 'gauss',
  origin: 'now',
  scale: '90d',
  offset: '0d',
  decay: 0.5,
} as const;

/**
 * One clause per additive signal: function_score over match_all with boost_mode `replace`, so the
 * clause scores exactly weight × function. Parameters come from the config function on the same
 * field when there is one (enabled or not), else freshness defaults (gauss, 90 days, half).
 */
export function buildAdditiveClauses(
  signals: readonly AdditiveSignal[],
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): Query[] {
  return signals
    .filter((signal) => signal.weight > 0)
    .map((signal) => {
      const where = `ranking.expression ${signal.kind}(${signal.field})`;
      const configured = config.ranking.functions.find(
        (fn) =>
          fn.field === signal.field &&
          (signal.kind === 'timeliness' ? fn.type === 'decay' : fn.type === 'field_value_factor'),
      );
      let fn: RankingFunction;
      if (configured !== undefined) {
        fn = { ...configured, weight: signal.weight };
      } else if (signal.kind === 'timeliness') {
        fn = {
          type: 'decay',
          enabled: true,
          field: signal.field,
          weight: signal.weight,
          ...DEFAULT_TIMELINESS,
        };
      } else {
        fn = {
          type: 'field_value_factor',
          enabled: true,
          field: signal.field,
          weight: signal.weight,
          factor: 1,
          modifier: 'log1p',
          missing: 0,
        };
      }
      return {
        function_score: {
          query: { match_all: {} },
          functions: [buildScoreFunction(fn, catalog, where)],
          boost_mode: 'replace',
        },
      };
    });
}
