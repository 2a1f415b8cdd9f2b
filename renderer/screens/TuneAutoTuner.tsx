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
          <p>
            {result.changed ? (
              <>
                Best {result.report.metric}: <strong>{result.report.bestScore.toFixed(4)}</strong>{' '}
                (base {result.report.baseScore.toFixed(4)},{' '}
                {result.report.bestScore - result.report.baseScore >= 0 ? '+' : ''}
                {(result.report.bestScore - result.report.baseScore).toFixed(4)}) after{' '}
                {result.report.trialsRun} trials
                {result.report.cv.meanValidationGain !== null
                  ? `; held-out gain ${result.report.cv.meanValidationGain >= 0 ? '+' : ''}${result.report.cv.meanValidationGain.toFixed(4)}`
                  : ''}
                . Saved as revision <code>{shortRevision(result.revisionId)}</code>.
              </>
            ) : (
              <>Nothing beat the working config in {result.report.trialsRun} trials.</>
            )}
          </p>
          {result.changed ? (
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
