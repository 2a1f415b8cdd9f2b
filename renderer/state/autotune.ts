/**
 * The auto-tuner from Tune: tune.start as a job over the sliders' parameters, a live trial chart
 * from the job's progress (per-trial train / held-out scores), cancel, and accepting the tuned
 * revision as the working config.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { z } from 'zod';
import type { OpInput, Operations } from '../../engine/api/index.ts';
import type { JobSnapshot } from '../../engine/jobs/job.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import type { Tunable } from './config.ts';
import { applyJobEvent } from './ingest.ts';

/** What a finished tune.start job holds as its result. */
export type TuneJobResult = z.output<Operations['tune.start']['result']>;

export interface TrialPoint {
  trial: number;
  fold: number;
  train: number | null;
  validation: number | null;
  all: number | null;
}

export const TUNABLE_GROUPS = [
  'Domain boosts',
  'Field boosts',
  'Text matching',
  'kNN',
  'Ranking functions',
] as const;
export type TunableGroup = (typeof TUNABLE_GROUPS)[number];

export function groupOf(tunable: Tunable): TunableGroup {
  if (tunable.group.startsWith('Field boosts')) return 'Field boosts';
  if (tunable.group.startsWith('Text matching')) return 'Text matching';
  return (TUNABLE_GROUPS as readonly string[]).includes(tunable.group)
    ? (tunable.group as TunableGroup)
    : 'Field boosts';
}

/** The tuner's parameter space for the chosen groups of sliders. */
export function spaceFor(
  tunables: readonly Tunable[],
  groups: ReadonlySet<TunableGroup>,
): { parameters: Array<Record<string, unknown>> } {
  const parameters = tunables
    .filter((t) => groups.has(groupOf(t)))
    .map((t) => withDefault(t, parameterOf(t)));
  return { parameters };
}

/**
 * A domain's proximity may be absent from the base config: the slider's value (proximity off,
 * the schema's boost and slop) is then the base trial's, so the base trial is the base config.
 */
function withDefault(t: Tunable, parameter: Record<string, unknown>): Record<string, unknown> {
  return groupOf(t) === 'Text matching' ? { ...parameter, default: t.value } : parameter;
}

function parameterOf(t: Tunable): Record<string, unknown> {
  if (t.kind === 'boolean') return { path: t.path, type: 'bool' };
  // A match type or operator: categorical (combinations the config refuses score 0).
  if (t.kind === 'choice') return { path: t.path, type: 'categorical', values: t.options ?? [] };
  // Whole-number knobs (slop) stay whole.
  if (t.step === 1 && Number.isInteger(t.min) && Number.isInteger(t.max))
    return { path: t.path, type: 'int', min: t.min, max: t.max };
  // Boosts span orders of magnitude: search them on a log scale when the range allows.
  return {
    path: t.path,
    type: 'float',
    min: t.min,
    max: t.max,
    log: t.min > 0,
    ...(t.step ? { step: t.step } : {}),
  };
}

export interface AutoTuneSettings {
  trials: number;
  folds: number;
  groups: Set<TunableGroup>;
}

export interface AutoTuneState {
  settings: AutoTuneSettings;
  job: JobSnapshot | null;
  trials: TrialPoint[];
  result: TuneJobResult | null;
  error: ApiError | null;
  accepted: boolean;
  setSettings(settings: Partial<AutoTuneSettings>): void;
  start(
    input: Omit<OpInput<'tune.start'>, 'space' | 'trials' | 'folds'>,
    tunables: readonly Tunable[],
  ): Promise<void>;
  cancel(): Promise<void>;
  accept(): Promise<string | null>;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function createAutoTuneStore(
  client: ApiClient,
  onAccepted: (revisionId: string) => Promise<boolean>,
): StoreApi<AutoTuneState> {
  let unsubscribe: (() => void) | null = null;
  return createStore<AutoTuneState>((set, get) => {
    const follow = (jobId: string) => {
      unsubscribe?.();
      unsubscribe = client.onJob(jobId, (event) => {
        const job = get().job;
        if (!job) return;
        const next = applyJobEvent(job, event);
        const update: Partial<AutoTuneState> = { job: next };
        const detail = event.type === 'progress' ? event.progress.detail : undefined;
        if (detail && typeof detail.trial === 'number') {
          update.trials = [
            ...get().trials,
            {
              trial: detail.trial,
              fold: num(detail.fold) ?? 0,
              train: num(detail.train),
              validation: num(detail.validation),
              all: num(detail.all),
            },
          ];
        }
        set(update);
        if (event.type === 'status' && next.finishedAt) {
          unsubscribe?.();
          unsubscribe = null;
          void client.call('jobs.get', { jobId }).then(
            (snapshot) =>
              set({
                job: snapshot,
                result: snapshot.status === 'succeeded' ? (snapshot.result as TuneJobResult) : null,
              }),
            () => undefined,
          );
        }
      });
    };
    return {
      settings: { trials: 20, folds: 2, groups: new Set<TunableGroup>(['Domain boosts', 'kNN']) },
      job: null,
      trials: [],
      result: null,
      error: null,
      accepted: false,

      setSettings(settings) {
        set({ settings: { ...get().settings, ...settings } });
      },

      async start(input, tunables) {
        const { trials, folds, groups } = get().settings;
        const space = spaceFor(tunables, groups);
        set({ error: null, result: null, trials: [], accepted: false });
        if (space.parameters.length === 0) {
          set({ error: toApiError(new Error('Choose at least one group of sliders to tune')) });
          return;
        }
        try {
          const { jobId } = await client.call('tune.start', { ...input, space, trials, folds });
          set({ job: await client.call('jobs.get', { jobId }) });
          follow(jobId);
        } catch (err) {
          set({ error: toApiError(err) });
        }
      },

      async cancel() {
        const job = get().job;
        if (!job) return;
        try {
          await client.call('jobs.cancel', { jobId: job.id });
        } catch (err) {
          set({ error: toApiError(err) });
        }
      },

      async accept() {
        const result = get().result;
        if (!result) return null;
        const ok = await onAccepted(result.revisionId);
        if (ok) set({ accepted: true });
        return ok ? result.revisionId : null;
      },
    };
  });
}
