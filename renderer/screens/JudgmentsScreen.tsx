/**
 * Judgments: query sets with coverage (rated, and unrated hits in the top 10 under the working
 * config), their queries in a virtualised list, and rating the current query's hits 0–3 inline —
 * keyboard: j / k (or ↓ / ↑) move, 0–3 rate and move on, x clears. Import and export of CSV,
 * RRE and TREC judgments. Below, "judge what matters" (JudgeQueue.tsx): the unjudged hits whose
 * grade could move the metric most.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { Thumbnail } from '../components/ResultCard.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import { formatCount, formatPriceRange } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { currentQueryText, ratingsOf, RATING_DEPTH, RATING_VALUES } from '../state/judgments.ts';
import { judgmentsStore, useJudgments } from '../state/stores.ts';
import { JudgeQueue } from './JudgeQueue.tsx';
import { JudgmentsImport } from './JudgmentsImport.tsx';

const RATING_LABELS = ['irrelevant', 'related', 'relevant', 'perfect'];

function SetsList() {
  const sets = useJudgments((s) => s.sets);
  const selectedId = useJudgments((s) => s.selectedId);
  const list = dataOf(sets)?.sets ?? [];
  if (sets.state === 'error')
    return (
      <ErrorBanner
        error={sets.error}
        title="Could not list the query sets"
        onRetry={() => void judgmentsStore.getState().loadSets()}
      />
    );
  if (!dataOf(sets)) return <Loading label="Loading query sets…" />;
  if (list.length === 0)
    return (
      <EmptyState title="No query sets yet" testId="judgments-empty">
        Import judgments below, or type a query and rate its results to start one.
      </EmptyState>
    );
  return (
    <ul className="set-list" aria-label="Query sets" data-testid="queryset-list">
      {list.map((s) => (
        <li key={s.id}>
          <button
            type="button"
            className={`set-item ${s.id === selectedId ? 'selected' : ''}`}
            aria-pressed={s.id === selectedId}
            onClick={() => void judgmentsStore.getState().select(s.id)}
            data-testid="queryset-item"
          >
            <span className="set-name">{s.name}</span>
            <span className="muted small">
              {s.tenant ? `tenant ${s.tenant} · ` : ''}
              {formatCount(s.queries)} queries · {formatCount(s.ratings)} ratings
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function Coverage() {
  const detail = dataOf(useJudgments((s) => s.detail));
  const coverage = useJudgments((s) => s.coverage);
  const data = dataOf(coverage);
  if (!detail) return null;
  const queries = detail.querySet.queries;
  const rated = queries.filter((q) => q.ratings.length > 0).length;
  const unrated = data ? data.perQuery.reduce((s, q) => s + q.unrated, 0) : null;
  const fullyRated = data
    ? data.perQuery.filter((q) => q.unrated === 0 && q.error === null).length
    : null;
  return (
    <dl className="coverage" data-testid="coverage">
      <div>
        <dt>Queries rated</dt>
        <dd data-testid="coverage-rated">
          {rated} / {queries.length}
        </dd>
      </div>
      <div>
        <dt>Unrated in top {RATING_DEPTH}</dt>
        <dd data-testid="coverage-unrated">
          {unrated === null ? (coverage.state === 'loading' ? '…' : '—') : formatCount(unrated)}
        </dd>
      </div>
      <div>
        <dt>Queries fully rated @{RATING_DEPTH}</dt>
        <dd>{fullyRated === null ? '—' : `${fullyRated} / ${queries.length}`}</dd>
      </div>
      <div>
        <dt>ndcg@{RATING_DEPTH} (working config)</dt>
        <dd>{data?.mean === null || data === null ? '—' : data.mean.toFixed(4)}</dd>
      </div>
      <div>
        <dt title="unjudged hits removed before scoring · unjudged at grade 0 … at the top grade">
          condensed · bounds
        </dt>
        <dd data-testid="coverage-bounds">
          {data && data.mean !== null
            ? `${data.condensed?.toFixed(4) ?? '—'} · ${data.mean.toFixed(4)}–${data.upper?.toFixed(4) ?? '—'}`
            : '—'}
        </dd>
      </div>
    </dl>
  );
}

function QueriesList() {
  const detail = useJudgments((s) => s.detail);
  const coverage = dataOf(useJudgments((s) => s.coverage));
  const queryIndex = useJudgments((s) => s.queryIndex);
  const newQuery = useJudgments((s) => s.newQuery);
  const [filter, setFilter] = useState('');
  const data = dataOf(detail);
  const unratedByQuery = useMemo(
    () => new Map((coverage?.perQuery ?? []).map((q) => [q.query, q.unrated])),
    [coverage],
  );
  const all = data?.querySet.queries ?? [];
  const shown = useMemo(
    () =>
      all
        .map((q, index) => ({ q, index }))
        .filter(({ q }) => q.text.toLowerCase().includes(filter.toLowerCase())),
    [all, filter],
  );
  if (detail.state === 'error')
    return <ErrorBanner error={detail.error} title="Could not load the query set" />;
  if (!data)
    return detail.state === 'loading' ? (
      <Loading label="Loading queries…" />
    ) : (
      <EmptyState title="Choose a query set" />
    );
  const selectedRow = newQuery.trim() ? -1 : shown.findIndex((row) => row.index === queryIndex);
  return (
    <div className="queries-pane">
      <div className="queries-tools">
        <input
          aria-label="Filter queries"
          placeholder={`Filter ${all.length} queries`}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="query-filter"
        />
        <NewQuery />
      </div>
      <VirtualList
        items={shown}
        rowHeight={34}
        height={420}
        selectedIndex={selectedRow}
        onSelect={(i) => void judgmentsStore.getState().selectQuery(shown[i]!.index)}
        keyOf={(row) => row.q.text}
        label="Queries of the set"
        testId="query-list"
        renderRow={(row) => {
          const unrated = unratedByQuery.get(row.q.text);
          return (
            <div className="query-row" data-testid="query-row">
              <span className="query-text">{row.q.text}</span>
              <span className="muted small" title="ratings · unrated hits in the top 10">
                {row.q.ratings.length}
                {unrated ? <span className="unrated-count"> · {unrated} unrated</span> : null}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}

function NewQuery() {
  const [text, setText] = useState('');
  return (
    <form
      className="new-query"
      onSubmit={(e) => {
        e.preventDefault();
        void judgmentsStore.getState().searchNewQuery(text);
      }}
    >
      <input
        aria-label="Rate another query"
        placeholder="another query to rate"
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="new-query"
      />
      <button type="submit" className="button secondary small" disabled={!text.trim()}>
        Search
      </button>
    </form>
  );
}

function RatingPane() {
  const state = useJudgments((s) => s);
  const hits = state.hits;
  const cursor = state.cursor;
  const data = dataOf(hits);
  const ratings = ratingsOf(state);
  const text = currentQueryText(state);
  const pane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    pane.current
      ?.querySelector<HTMLElement>(`[data-row="${cursor}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
    const store = judgmentsStore.getState();
    if (e.key === 'j' || e.key === 'ArrowDown') store.moveCursor(1);
    else if (e.key === 'k' || e.key === 'ArrowUp') store.moveCursor(-1);
    else if (/^[0-3]$/.test(e.key)) void store.rateAtCursor(Number(e.key));
    else if (e.key === 'x') {
      const hit = data?.results[cursor];
      if (hit) void store.rate(hit.spu_id, null);
    } else return;
    e.preventDefault();
  };

  if (!text)
    return (
      <EmptyState title="Pick a query">
        Its top {RATING_DEPTH} under the working config appear here to rate.
      </EmptyState>
    );
  return (
    <div
      className="rating-pane"
      ref={pane}
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label={`Rate the results of “${text}”. j and k move, 0 to 3 rate, x clears.`}
      data-testid="rating-pane"
    >
      <div className="rating-head">
        <h3>
          “{text}”{' '}
          <span className="muted small">
            {state.newQuery.trim() ? '(new query: rating adds it to the set)' : ''}
          </span>
        </h3>
        <p className="muted small kbd-help">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>0</kbd>–<kbd>3</kbd> rate · <kbd>x</kbd> clear
        </p>
      </div>
      {state.rateError ? (
        <ErrorBanner error={state.rateError} title="Could not save the rating" />
      ) : null}
      {hits.state === 'error' ? <ErrorBanner error={hits.error} title="Search failed" /> : null}
      {!data && hits.state === 'loading' ? <Loading label="Searching…" /> : null}
      {data && data.results.length === 0 ? <EmptyState title="No results to rate" /> : null}
      <ol className="rating-list">
        {data?.results.map((hit, i) => {
          const rating = ratings.get(hit.spu_id);
          return (
            <li
              key={hit.spu_id}
              className={`rating-row ${i === cursor ? 'cursor' : ''}`}
              data-row={i}
              data-testid="rating-row"
              data-spu-id={hit.spu_id}
              onClick={() => judgmentsStore.getState().setCursor(i)}
            >
              <span className="rank">#{i + 1}</span>
              <Thumbnail src={hit.image} alt="" size="small" />
              <span className="rating-text">
                <span lang={hit.titles.zh ? 'zh' : 'en'}>
                  {hit.titles.zh ?? hit.titles.en ?? hit.spu_id}
                </span>
                <span className="muted small">
                  {[
                    hit.titles.zh ? hit.titles.en : null,
                    hit.vendor.zh ?? hit.vendor.en,
                    formatPriceRange(hit.prices.min, hit.prices.max),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </span>
              <span
                className="rating-buttons"
                role="radiogroup"
                aria-label={`Rating of result ${i + 1}`}
              >
                {RATING_VALUES.map((v) => (
                  <button
                    key={v}
                    type="button"
                    role="radio"
                    aria-checked={rating === v}
                    className={`rating-button r${v} ${rating === v ? 'on' : ''}`}
                    title={RATING_LABELS[v]}
                    tabIndex={-1}
                    onClick={(e) => {
                      e.stopPropagation();
                      void judgmentsStore.getState().rate(hit.spu_id, rating === v ? null : v);
                    }}
                    data-testid={`rate-${v}`}
                  >
                    {v}
                  </button>
                ))}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

export function JudgmentsScreen() {
  useEffect(() => {
    if (judgmentsStore.getState().sets.state === 'idle') void judgmentsStore.getState().loadSets();
  }, []);
  return (
    <div className="judgments-screen" data-testid="judgments-screen">
      <div className="judgments-grid">
        <div className="stack">
          <Card title="Query sets" testId="card-querysets">
            <SetsList />
          </Card>
          <JudgmentsImport />
        </div>
        <Card title="Queries" testId="card-queries">
          <Coverage />
          <QueriesList />
        </Card>
        <Card title="Rate results" testId="card-rate">
          <RatingPane />
        </Card>
      </div>
      <JudgeQueue />
    </div>
  );
}
