/**
 * The tuner's report: every trial with its train and validation score per fold, the best trial,
 * the cross-validated gain and the sensitivity of the metric to each parameter. A zod schema,
 * because the experiment store persists it and the UI charts it.
 */
import { z } from 'zod';
import { RwbError } from '../../errors.ts';
import { OPTIMIZERS } from './samplers.ts';

export const TUNE_REPORT_SCHEMA_VERSION = 1;

const ParamValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const ParamValuesSchema = z.record(z.string(), ParamValueSchema);

export const TrialRecordSchema = z.object({
  /** 0-based position in the whole run (over all folds); the base config is trial 0 of fold 0. */
  trial: z.number().int().min(0),
  fold: z.number().int().min(0),
  /** 0-based position within the fold; 0 is the base config. */
  foldTrial: z.number().int().min(0),
  isBase: z.boolean(),
  params: ParamValuesSchema,
  /** Mean metric over the fold's training queries (what the optimiser maximised). */
  train: z.number(),
  /** Mean over the fold's held-out queries; null without cross-validation. */
  validation: z.number().nullable(),
  /** Mean over all queries. */
  all: z.number(),
});
export type TrialRecord = z.infer<typeof TrialRecordSchema>;

export const STOP_REASONS = ['budget', 'patience', 'space-exhausted'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const FoldReportSchema = z.object({
  fold: z.number().int().min(0),
  trainQueries: z.number().int().min(0),
  validationQueries: z.number().int().min(0),
  /** Trials evaluated in this fold, the base config not counted. */
  trials: z.number().int().min(0),
  stopReason: z.enum(STOP_REASONS),
  /** Global trial number of the fold's best trial by train score. */
  bestTrial: z.number().int().min(0),
  baseTrain: z.number(),
  bestTrain: z.number(),
  baseValidation: z.number().nullable(),
  bestValidation: z.number().nullable(),
  /** bestValidation − baseValidation: the gain on queries the fold's optimiser never saw. */
  validationGain: z.number().nullable(),
  /**
   * The final run (every query, nothing held out) whose selected trial is the tuned config;
   * absent in reports written before nested cross-validation.
   */
  final: z.boolean().optional(),
});
export type FoldReport = z.infer<typeof FoldReportSchema>;

/** The nested-CV estimate of what the tuning procedure gains on queries it did not see. */
export const OuterEstimateSchema = z.object({
  /** Held-out queries pooled over the outer folds. */
  queries: z.number().int().positive(),
  baseMean: z.number(),
  tunedMean: z.number(),
  meanGain: z.number(),
  ci: z.object({ lower: z.number(), upper: z.number(), confidence: z.number() }),
  /** Paired randomization test of "no gain" over the pooled held-out queries. */
  pValue: z.number(),
  /** The interval lies above 0: the tuned config may be proposed as a new revision. */
  reliable: z.boolean(),
});
export type OuterEstimate = z.infer<typeof OuterEstimateSchema>;

export const SensitivitySchema = z.object({
  parameter: z.string(),
  path: z.string(),
  bestValue: ParamValueSchema,
  /** Mean metric over all queries with only this parameter changed from the best. */
  points: z.array(z.object({ value: ParamValueSchema, score: z.number() })),
  /** max − min of the scores: how much this knob matters near the best. */
  spread: z.number(),
});
export type ParameterSensitivity = z.infer<typeof SensitivitySchema>;

export const TuneReportSchema = z.object({
  schemaVersion: z.literal(TUNE_REPORT_SCHEMA_VERSION),
  metric: z.string(),
  optimizer: z.enum(OPTIMIZERS),
  seed: z.union([z.string(), z.number()]),
  folds: z.number().int().positive(),
  queries: z.number().int().positive(),
  trialsBudget: z.number().int().positive(),
  trialsRun: z.number().int().min(0),
  baseParams: ParamValuesSchema,
  bestParams: ParamValuesSchema,
  /** Mean over all queries of the base config and of the best parameters. */
  baseScore: z.number(),
  bestScore: z.number(),
  bestTrial: z.number().int().min(0),
  cv: z.object({
    /** Mean over folds of the held-out gain; null without cross-validation. */
    meanValidationGain: z.number().nullable(),
    stdValidationGain: z.number().nullable(),
    meanBaseValidation: z.number().nullable(),
    meanBestValidation: z.number().nullable(),
    folds: z.array(FoldReportSchema),
    /** Nested CV (absent in older reports and without cross-validation). */
    outer: OuterEstimateSchema.optional(),
  }),
  /** How each run chose its trial (absent in older reports: the best train mean). */
  selection: z.object({ rule: z.enum(['one-se', 'best']), seMultiplier: z.number() }).optional(),
  trials: z.array(TrialRecordSchema),
  sensitivity: z.array(SensitivitySchema),
  evaluations: z.object({
    requested: z.number().int().min(0),
    computed: z.number().int().min(0),
    evaluateCalls: z.number().int().min(0),
  }),
  warnings: z.array(z.string()),
});
export type TuneReport = z.infer<typeof TuneReportSchema>;

export function parseTuneReport(value: unknown, where: string): TuneReport {
  const parsed = TuneReportSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new RwbError('INVALID_INPUT', `${where}: not a valid tune report: ${issues}`);
}
