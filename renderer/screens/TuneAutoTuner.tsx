/**
 * The auto-tuner panel of Tune: choose which sliders it may move, how many trials and folds; it
 * runs tune.start as a job and charts every trial's training and held-out score live; the tuned
 * revision can be accepted as the working config.
 */
import { Card } from '../components/Card.tsx';
import { JobProgressBar, JobStatusBadge } from '../components/JobProgress.tsx';
import { MetricChart } from '../components/MetricChart.tsx';
import { ErrorBanner } from '../components/StateViews.tsx';
import { dataOf } from '../state/async.ts';
import { shortRevision } from '../state/config.ts';
import { TUNABLE_GROUPS, type TunableGroup } from '../state/autotune.ts';
import { autoTuneStore, useAutoTune, useConfig, useTune } from '../state/stores.ts';

function Settings({ disabled }: { disabled: boolean }) {
  const settings = useAutoTune((s) => s.settings);
  const toggle = (group: TunableGroup) => {
    const groups = new Set(settings.groups);
    if (groups.has(group)) groups.delete(group);
    else groups.add(group);
    autoTuneStore.getState().setSettings({ groups });
  };
  return (
    <div className="autotune-settings">
      <fieldset className="segmented" disabled={disabled}>
        <legend>Tune</legend>
        {TUNABLE_GROUPS.map((g) => (
          <label key={g} className="check">
            <input
              type="checkbox"
              checked={settings.groups.has(g)}
              onChange={() => toggle(g)}
              data-testid={`autotune-group-${g.split(' ')[0]!.toLowerCase()}`}
            />
            {g}
          </label>
        ))}
      </fieldset>
      <label className="field narrow">
        <span>Trials</span>
        <input
          type="number"
          min={2}
          max={5000}
          value={settings.trials}
          disabled={disabled}
          onChange={(e) =>
            autoTuneStore
              .getState()
              .setSettings({ trials: Math.max(2, Number(e.target.value) || 2) })
          }
          data-testid="autotune-trials"
        />
      </label>
      <label className="field narrow">
        <span>Folds</span>
        <input
          type="number"
          min={1}
          max={20}
          value={settings.folds}
          disabled={disabled}
          onChange={(e) =>
            autoTuneStore
              .getState()
              .setSettings({ folds: Math.max(1, Number(e.target.value) || 1) })
          }
          data-testid="autotune-folds"
        />
      </label>
    </div>
  );
}

const VERDICT_TEXT: Record<string, string> = {
  'reliable-gain':
    'Reliable gain: the held-out interval lies above 0. The tuned config is proposed.',
  'no-reliable-gain':
    'No reliable gain: on queries the tuning did not see, the gain may be 0 or negative. Nothing is proposed; the working config stays.',
  'not-assessed':
    'Not assessed: with one fold there is no held-out estimate. Nothing is proposed; use 2 or more folds.',
  'no-change': 'No change: the tuning kept the working config’s parameters.',
};

const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;

export function AutoTuner() {
  const job = useAutoTune((s) => s.job);
  const trials = useAutoTune((s) => s.trials);
  const result = useAutoTune((s) => s.result);
  const error = useAutoTune((s) => s.error);
  const accepted = useAutoTune((s) => s.accepted);
  const working = dataOf(useConfig((s) => s.working));
  const querySet = useTune((s) => s.querySet);
  const tenant = useTune((s) => s.tenant);
  const metric = useTune((s) => s.metric);
  const running = job?.status === 'running' || job?.status === 'queued';

  const start = () => {
    if (!working || !querySet) return;
    void autoTuneStore.getState().start(
      {
        baseConfig: working.config,
        querySetId: querySet.id,
        tenantId: querySet.tenant ?? tenant,
        metric,
      },
      working.tunables,
    );
  };
  const baseScore = trials.find((t) => t.trial === 0)?.all ?? null;

  return (
    <Card
      title="Auto-tuner"
      testId="card-autotune"
      actions={
        <>
          {job ? <JobStatusBadge status={job.status} /> : null}
          {running ? (
            <button
              type="button"
              className="button danger"
              onClick={() => void autoTuneStore.getState().cancel()}
              data-testid="autotune-cancel"
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={!querySet || !working}
              onClick={start}
              data-testid="autotune-start"
            >
              Run auto-tuner
            </button>
          )}
        </>
      }
    >
      <p className="muted small">
        Searches the chosen sliders for the best {metric} on{' '}
        {querySet ? `“${querySet.name}”` : 'a query set'} (TPE + coordinate ascent), with {`k`}-fold
        cross-validation so the gain is measured on queries the tuner did not train on.
      </p>
      <Settings disabled={running} />
      {error ? <ErrorBanner error={error} title="The auto-tuner could not start" /> : null}
      {job ? <JobProgressBar job={job} /> : null}
      {job?.error ? <ErrorBanner error={job.error} title="Tuning failed" /> : null}
      {trials.length ? (
        <MetricChart
          testId="autotune-chart"
          data={trials.map((t, i) => ({
            x: i + 1,
            train: t.train,
            validation: t.validation,
            all: t.all,
            fold: t.fold,
          }))}
          series={[
            { key: 'train', label: 'train (fold)', colour: '#2f5bd3' },
            { key: 'validation', label: 'held-out (fold)', colour: '#d9822b', dashed: true },
            { key: 'all', label: 'all queries', colour: '#1f8a4c' },
          ]}
          baseline={baseScore}
          xLabel="trial"
          yLabel={metric}
          describe={(p) => `trial ${p.x} · fold ${String(p.fold)}`}
        />
      ) : null}
      {result ? (
        <div className="autotune-result" data-testid="autotune-result">
          <p data-testid="autotune-verdict" data-verdict={result.verdict}>
            {VERDICT_TEXT[result.verdict]}
          </p>
          {result.report.cv.outer ? (
            <p data-testid="autotune-outer">
              Held-out gain (nested CV, {result.report.cv.outer.queries} queries):{' '}
              <strong>{signed(result.report.cv.outer.meanGain)}</strong> (
              {result.report.cv.outer.baseMean.toFixed(4)} →{' '}
              {result.report.cv.outer.tunedMean.toFixed(4)}), 95% interval [
              {signed(result.report.cv.outer.ci.lower)}, {signed(result.report.cv.outer.ci.upper)}
              ], p = {result.report.cv.outer.pValue.toFixed(4)}.
            </p>
          ) : null}
          <p className="muted">
            All queries: base {result.report.baseScore.toFixed(4)} → tuned{' '}
            {result.report.bestScore.toFixed(4)} after {result.report.trialsRun} trials (optimistic:
            chosen on these queries).
            {result.changed ? (
              <>
                {' '}
                Saved as revision <code>{shortRevision(result.revisionId)}</code>.
              </>
            ) : null}
          </p>
          {result.proposed ? (
            <button
              type="button"
              className="button"
              disabled={accepted}
              onClick={() => void autoTuneStore.getState().accept()}
              data-testid="autotune-accept"
            >
              {accepted ? 'Accepted as the working config' : 'Accept as working config'}
            </button>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
