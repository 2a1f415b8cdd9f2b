/** How a hit moved against a baseline ranking: ▲ up, ▼ down, = same, NEW (not in the baseline). */
export function RankChange({ change, isNew }: { change: number | null; isNew: boolean }) {
  if (isNew) {
    return (
      <span className="rank-change new" data-testid="rank-new" title="Not in the baseline results">
        NEW
      </span>
    );
  }
  if (change === null) return <span className="rank-change none" aria-hidden="true" />;
  if (change === 0) {
    return (
      <span
        className="rank-change same"
        data-testid="rank-same"
        title="Same rank as in the baseline"
      >
        =
      </span>
    );
  }
  const up = change > 0;
  return (
    <span
      className={`rank-change ${up ? 'up' : 'down'}`}
      data-testid={up ? 'rank-up' : 'rank-down'}
      title={`${up ? 'Up' : 'Down'} ${Math.abs(change)} from the baseline`}
    >
      {up ? '▲' : '▼'}
      {Math.abs(change)}
    </span>
  );
}

/** Rank changes of `ids` against `baseline` (1-based ranks). */
export function rankChanges(
  ids: readonly string[],
  baseline: readonly string[] | null,
): Array<{ change: number | null; isNew: boolean }> {
  if (!baseline) return ids.map(() => ({ change: null, isNew: false }));
  const position = new Map(baseline.map((id, i) => [id, i + 1]));
  return ids.map((id, i) => {
    const before = position.get(id);
    return before === undefined
      ? { change: null, isNew: true }
      : { change: before - (i + 1), isNew: false };
  });
}
