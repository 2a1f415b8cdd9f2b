/**
 * "Judge what matters": the unjudged products in the top k of the last accepted revision and the
 * working config, ordered by how far their grade could move the metric difference between them
 * (judgments.queue). Keyboard like the rating pane: j / k (or ↓ / ↑) move, 0–3 rate and take
 * the item off, x skips to the next.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { Thumbnail } from '../components/ResultCard.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { dataOf } from '../state/async.ts';
import { RATING_VALUES } from '../state/judgments.ts';
import { judgeQueueStore, useJudgeQueue, useJudgments } from '../state/stores.ts';

const RATING_LABELS = ['irrelevant', 'related', 'relevant', 'perfect'];
const rank = (r: number | null) => (r === null ? '—' : `#${r}`);

export function JudgeQueue() {
  const selectedId = useJudgments((s) => s.selectedId);
  const tenant = useJudgments((s) => dataOf(s.detail)?.info.tenant ?? null);
  const queue = useJudgeQueue((s) => s.queue);
  const cursor = useJudgeQueue((s) => s.cursor);
  const rateError = useJudgeQueue((s) => s.rateError);
  const loadedFor = useJudgeQueue((s) => s.querySetId);
  const list = useRef<HTMLOListElement>(null);
  const data = dataOf(queue);
  useEffect(() => {
    list.current
      ?.querySelector<HTMLElement>(`[data-row="${cursor}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
    const store = judgeQueueStore.getState();
    if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'x') store.moveCursor(1);
    else if (e.key === 'k' || e.key === 'ArrowUp') store.moveCursor(-1);
    else if (/^[0-3]$/.test(e.key)) void store.rateAtCursor(Number(e.key));
    else return;
    e.preventDefault();
  };

  const stale = loadedFor !== selectedId;
  return (
    <Card
      title="Judge what matters"
      testId="card-judge-queue"
      className="judge-queue"
      actions={
        <button
          type="button"
          className="button secondary small"
          disabled={!selectedId || queue.state === 'loading'}
          onClick={() => selectedId && void judgeQueueStore.getState().load(selectedId, tenant)}
          data-testid="judge-queue-load"
        >
          {data && !stale ? 'Refresh' : 'Find unjudged hits'}
        </button>
      }
    >
      <p className="muted small">
        Unjudged products in the top k of the last accepted revision and the working config, ordered
        by how much their grade could move the difference in the metric between them.
      </p>
      {queue.state === 'error' ? (
        <ErrorBanner error={queue.error} title="Could not build the queue" />
      ) : null}
      {rateError ? <ErrorBanner error={rateError} title="Could not save the rating" /> : null}
      {queue.state === 'loading' && !data ? <Loading label="Evaluating both configs…" /> : null}
      {data && !stale ? (
        <div
          tabIndex={0}
          onKeyDown={onKeyDown}
          aria-label="Unjudged products to rate. j and k move, 0 to 3 rate, x skips."
          data-testid="judge-queue"
        >
          <p className="small" data-testid="judge-queue-summary">
            {data.metric}: {data.labels.b ? `${data.labels.a} vs ${data.labels.b}` : data.labels.a}{' '}
            · {data.unjudged} unjudged in the top {data.k} · {data.queries} queries averaged
            {[data.coverage.a, data.coverage.b].map((c, i) =>
              c?.low ? (
                <span key={i} className="warning-text" role="alert">
                  {' '}
                  · ⚠ {(c.coverage! * 100).toFixed(0)}% judged (
                  {i === 0 ? data.labels.a : data.labels.b})
                </span>
              ) : null,
            )}
          </p>
          <p className="muted small kbd-help">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>0</kbd>–<kbd>3</kbd> rate · <kbd>x</kbd> skip
          </p>
          {data.items.length === 0 ? (
            <EmptyState title="Nothing left to judge" testId="judge-queue-empty">
              Every hit in the top {data.k} of both configs is judged.
            </EmptyState>
          ) : (
            <ol className="queue-list" ref={list}>
              {data.items.map((item, i) => (
                <li
                  key={`${item.query}\u0000${item.docId}`}
                  className={`queue-row ${i === cursor ? 'cursor' : ''}`}
                  data-row={i}
                  data-testid="judge-queue-row"
                  data-doc-id={item.docId}
                  onClick={() => judgeQueueStore.getState().setCursor(i)}
                >
                  <Thumbnail src={item.product?.image ?? null} alt="" size="small" />
                  <span className="query-text" title="query">
                    “{item.query}”
                    {item.counted ? '' : <span className="muted small"> (not averaged yet)</span>}
                  </span>
                  <span className="rating-text">
                    <span>{item.product?.title ?? item.docId}</span>
                    <span className="muted small">
                      {[item.product?.vendor, item.docId].filter(Boolean).join(' · ')}
                    </span>
                  </span>
                  <span className="muted small" title="rank under A · under B">
                    {rank(item.rankA)} · {rank(item.rankB)}
                  </span>
                  <span
                    className="num small"
                    title="how far its grade can move the mean difference (and each side's mean)"
                  >
                    ±{item.reach.toFixed(4)}
                  </span>
                  <span
                    className="rating-buttons"
                    role="radiogroup"
                    aria-label={`Rating of ${item.docId}`}
                  >
                    {RATING_VALUES.map((v) => (
                      <button
                        key={v}
                        type="button"
                        role="radio"
                        aria-checked={false}
                        className={`rating-button r${v}`}
                        title={RATING_LABELS[v]}
                        tabIndex={-1}
                        onClick={(e) => {
                          e.stopPropagation();
                          judgeQueueStore.getState().setCursor(i);
                          void judgeQueueStore.getState().rateAtCursor(v);
                        }}
                        data-testid={`queue-rate-${v}`}
                      >
                        {v}
                      </button>
                    ))}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      ) : null}
    </Card>
  );
}
