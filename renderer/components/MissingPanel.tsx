/**
 * "Why is this product missing" (search.explainMissing) under the Search results and the Compare
 * columns: a product id (typed, or one of the products judged for the query), then per config the
 * verdict, the reasons, the explain against the k-th hit and the levers.
 */
import { useEffect, type FormEvent } from 'react';
import { dataOf } from '../state/async.ts';
import type { Diagnosis, MissingRequestExtras, MissingTarget } from '../state/explain-missing.ts';
import { missingStores, useMissing, type MissingScreen } from '../state/stores.ts';
import { Card } from './Card.tsx';
import { ErrorBanner, Loading } from './StateViews.tsx';

const num = (value: number): string => String(Math.round(value * 1000) / 1000);

function verdictOf(d: Diagnosis): string {
  if (d.rank !== null)
    return d.status === 'in_top_k' ? `rank ${d.rank} — in the top ${d.k}` : `rank ${d.rank}`;
  return d.status === 'beyond_depth' ? `matched, beyond rank ${d.depth}` : 'not matched';
}

function DiagnosisView({ label, d, testId }: { label: string; d: Diagnosis; testId: string }) {
  return (
    <div className="missing-diagnosis" data-testid={testId}>
      <h3>
        {label}: <span data-testid={`${testId}-verdict`}>{verdictOf(d)}</span>{' '}
        <span className="muted">
          ({d.matched} {d.matched === 1 ? 'match' : 'matches'} · fusion {d.fusion})
        </span>
      </h3>
      {d.title ? <p className="muted">{d.title}</p> : null}
      <ul className="missing-why" data-testid={`${testId}-why`}>
        {d.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {d.explain.parts.length > 0 ? (
        <table className="table compact" data-testid={`${testId}-parts`}>
          <thead>
            <tr>
              <th>Part</th>
              <th>This product</th>
              <th>k-th hit{d.kth ? ` (${d.kth.spuId})` : ''}</th>
              <th>Δ</th>
            </tr>
          </thead>
          <tbody>
            {d.explain.parts.map((p) => (
              <tr key={p.part}>
                <td>{p.part}</td>
                <td>{num(p.target)}</td>
                <td>{num(p.kth)}</td>
                <td className={p.delta < 0 ? 'negative' : undefined}>{num(p.delta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h4>Levers</h4>
      <ul className="missing-levers" data-testid={`${testId}-levers`}>
        {d.levers.map((lever) => (
          <li key={`${lever.kind}:${lever.path ?? ''}:${lever.message}`}>
            {lever.message}
            {lever.exact || lever.kind === 'none' ? '' : ' (estimate from the explain)'}
            {lever.path ? <code className="lever-path"> {lever.path}</code> : null}
            {lever.verified ? (
              <strong className="lever-verified">
                {' '}
                → re-searched:{' '}
                {lever.verified.rank === null
                  ? `not within ${d.depth}`
                  : `rank ${lever.verified.rank}`}
              </strong>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MissingPanel({
  screen,
  tenantId,
  query,
  targets,
  request,
}: {
  screen: MissingScreen;
  tenantId: string;
  query: string;
  targets: readonly MissingTarget[];
  request?: MissingRequestExtras;
}) {
  const store = missingStores[screen];
  const spuId = useMissing(screen, (s) => s.spuId);
  const judged = useMissing(screen, (s) => s.judged);
  const result = useMissing(screen, (s) => s.result);
  const testId = `missing-${screen}`;

  useEffect(() => {
    void store.getState().loadJudged(query);
  }, [store, query]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    void store.getState().run(tenantId, query, targets, request);
  };
  const judgedList = dataOf(judged) ?? [];
  const data = dataOf(result);
  return (
    <Card title="Why is this product missing?" testId={testId} className="missing-panel">
      <form className="missing-form" onSubmit={submit}>
        <label className="field">
          <span>Product id</span>
          <input
            value={spuId}
            onChange={(e) => store.getState().setSpuId(e.target.value)}
            placeholder="spu_id"
            data-testid={`${testId}-spu`}
          />
        </label>
        {judgedList.length > 0 ? (
          <label className="field">
            <span>Judged for this query</span>
            <select
              value=""
              onChange={(e) => {
                if (!e.target.value) return;
                store.getState().setSpuId(e.target.value);
                void store.getState().run(tenantId, query, targets, request);
              }}
              data-testid={`${testId}-judged`}
            >
              <option value="">Pick a judged product…</option>
              {judgedList.map((j) => (
                <option key={`${j.querySet}:${j.spuId}`} value={j.spuId}>
                  {j.spuId} · grade {j.grade} · {j.querySet}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button
          type="submit"
          className="button secondary"
          disabled={!tenantId || spuId.trim() === '' || result.state === 'loading'}
          data-testid={`${testId}-run`}
        >
          Diagnose
        </button>
      </form>
      {result.state === 'error' ? (
        <ErrorBanner error={result.error} title="Could not diagnose" onRetry={() => submit()} />
      ) : null}
      {result.state === 'loading' && data === null ? <Loading label="Diagnosing…" /> : null}
      {data?.map(({ label, diagnosis }, i) => (
        <DiagnosisView
          key={`${label}:${i}`}
          label={label}
          d={diagnosis}
          testId={`${testId}-${i}`}
        />
      ))}
    </Card>
  );
}
