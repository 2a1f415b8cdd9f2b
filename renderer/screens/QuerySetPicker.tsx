/** Chooses the query set whose mean metric Tune and Compare show (the tenant's sets first). */
import { useEffect } from 'react';
import { dataOf } from '../state/async.ts';
import type { QuerySetInfo } from '../state/tune.ts';
import { judgmentsStore, useJudgments } from '../state/stores.ts';

export function QuerySetPicker({
  value,
  tenant,
  onChange,
  onCreate,
  testId = 'queryset-select',
}: {
  value: QuerySetInfo | null;
  tenant: string;
  onChange(ref: QuerySetInfo | null): void;
  onCreate(): void;
  testId?: string;
}) {
  const sets = useJudgments((s) => s.sets);
  const list = dataOf(sets)?.sets ?? [];
  useEffect(() => {
    if (judgmentsStore.getState().sets.state === 'idle') void judgmentsStore.getState().loadSets();
  }, []);
  // First visit: take the tenant's first set, so the metric shows without a click.
  useEffect(() => {
    if (value || list.length === 0) return;
    const preferred = list.find((s) => s.tenant === tenant) ?? null;
    if (preferred) onChange(preferred);
  }, [value, list, tenant, onChange]);
  const ordered = [
    ...list.filter((s) => s.tenant === tenant),
    ...list.filter((s) => s.tenant !== tenant),
  ];
  return (
    <label className="field queryset-field">
      <span>Query set</span>
      <select
        value={value?.id ?? ''}
        onChange={(e) => {
          if (e.target.value === '__create') onCreate();
          else onChange(list.find((s) => s.id === e.target.value) ?? null);
        }}
        data-testid={testId}
      >
        <option value="">
          {sets.state === 'loading' ? 'Loading…' : list.length ? 'None' : 'No query sets yet'}
        </option>
        {ordered.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} · {s.queries} queries
            {s.tenant && s.tenant !== tenant ? ` (tenant ${s.tenant})` : ''}
          </option>
        ))}
        <option value="__create">Import or create one…</option>
      </select>
    </label>
  );
}
