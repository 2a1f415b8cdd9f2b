/**
 * Active filters as removable chips, plus typed filters the facets do not offer: a numeric range
 * on a field (price), a term on any exact-value field, a specification name = value.
 */
import { useState, type FormEvent } from 'react';
import {
  filterChips,
  hasFilters,
  NO_FILTERS,
  SPEC_PREFIX,
  toggleValue,
  type FilterSelection,
} from '../state/filters.ts';

export interface FilterBarProps {
  filters: FilterSelection;
  onChange(filters: FilterSelection): void;
  onRange(field: string, min: number | null, max: number | null): void;
}

function parseBound(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

export function FilterBar({ filters, onChange, onRange }: FilterBarProps) {
  const [kind, setKind] = useState<'range' | 'term' | 'spec'>('range');
  const [field, setField] = useState('min_price');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const chips = filterChips(filters);

  const add = (e: FormEvent) => {
    e.preventDefault();
    if (kind === 'range') onRange(field.trim(), parseBound(a), parseBound(b));
    else if (kind === 'term' && field.trim() && a.trim())
      onChange(toggleValue(filters, field.trim(), a.trim()));
    else if (kind === 'spec' && a.trim() && b.trim())
      onChange(toggleValue(filters, `${SPEC_PREFIX}${a.trim()}`, b.trim()));
    setA('');
    setB('');
  };

  return (
    <div className="filter-bar" data-testid="filter-bar">
      <div className="chips-row" aria-live="polite">
        {chips.length === 0 ? <span className="muted small">No filters</span> : null}
        {chips.map((chip) => (
          <button
            key={chip.key}
            type="button"
            className="chip removable"
            onClick={() => onChange(chip.remove(filters))}
            aria-label={`Remove filter ${chip.label}`}
            data-testid="filter-chip"
          >
            {chip.label} <span aria-hidden="true">×</span>
          </button>
        ))}
        {hasFilters(filters) ? (
          <button
            type="button"
            className="link-button small"
            onClick={() => onChange(NO_FILTERS)}
            data-testid="filters-clear"
          >
            Clear all
          </button>
        ) : null}
      </div>
      <form className="filter-add" onSubmit={add} aria-label="Add a filter">
        <select
          aria-label="Filter kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as typeof kind)}
          data-testid="filter-kind"
        >
          <option value="range">Range</option>
          <option value="term">Term</option>
          <option value="spec">Spec</option>
        </select>
        {kind !== 'spec' ? (
          <input
            aria-label="Field"
            value={field}
            onChange={(e) => setField(e.target.value)}
            placeholder="field"
            list="filter-fields"
            className="filter-field"
          />
        ) : null}
        <datalist id="filter-fields">
          <option value="min_price" />
          <option value="max_price" />
          <option value="category1_name" />
          <option value="vendor_zh.keyword" />
          <option value="tags" />
          <option value="total_inventory" />
        </datalist>
        <input
          aria-label={kind === 'range' ? 'Minimum' : kind === 'spec' ? 'Spec name' : 'Value'}
          value={a}
          onChange={(e) => setA(e.target.value)}
          placeholder={kind === 'range' ? 'min' : kind === 'spec' ? 'name, e.g. 颜色' : 'value'}
          inputMode={kind === 'range' ? 'decimal' : undefined}
          data-testid="filter-a"
        />
        {kind !== 'term' ? (
          <input
            aria-label={kind === 'range' ? 'Maximum' : 'Spec value'}
            value={b}
            onChange={(e) => setB(e.target.value)}
            placeholder={kind === 'range' ? 'max' : 'value'}
            inputMode={kind === 'range' ? 'decimal' : undefined}
            data-testid="filter-b"
          />
        ) : null}
        <button type="submit" className="button secondary small" data-testid="filter-add">
          Add
        </button>
      </form>
    </div>
  );
}
