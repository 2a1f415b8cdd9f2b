/**
 * Facets with counts. Each value is a checkbox: selecting filters the results; the engine counts
 * a facet with every filter but its own, so the sibling values stay visible with their counts.
 */
import { useState } from 'react';
import { formatCount } from '../format.ts';
import { isSelected, type FilterSelection } from '../state/filters.ts';
import type { Facet } from '../state/search.ts';

const COLLAPSED_VALUES = 8;

export interface FacetPanelProps {
  facets: readonly Facet[];
  filters: FilterSelection;
  onToggle(facet: Facet, value: string): void;
  disabled?: boolean;
}

function FacetGroup({
  facet,
  filters,
  onToggle,
  disabled,
}: { facet: Facet } & Omit<FacetPanelProps, 'facets'>) {
  const [expanded, setExpanded] = useState(false);
  const values = facet.values.filter(
    (v) => v.count > 0 || isSelected(filters, facet.field, String(v.value), facet.type),
  );
  const shown = expanded ? values : values.slice(0, COLLAPSED_VALUES);
  const legendId = `facet-${facet.field.replace(/[^\w-]/g, '_')}`;
  return (
    <fieldset
      className="facet"
      data-testid="facet"
      data-field={facet.field}
      aria-labelledby={legendId}
    >
      <legend id={legendId} className="facet-title">
        {facet.label || facet.field}
      </legend>
      {values.length === 0 ? <p className="muted small">No values</p> : null}
      <ul>
        {shown.map((v) => {
          const value = String(v.value);
          const checked = isSelected(filters, facet.field, value, facet.type);
          return (
            <li key={value}>
              <label className={`facet-value ${checked ? 'selected' : ''}`}>
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={disabled}
                  onChange={() => onToggle(facet, value)}
                  data-testid="facet-value"
                  data-value={value}
                />
                <span className="facet-label">{v.label || value}</span>
                <span className="facet-count" data-testid="facet-count">
                  {formatCount(v.count)}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      {values.length > COLLAPSED_VALUES ? (
        <button
          type="button"
          className="link-button small"
          onClick={() => setExpanded((e) => !e)}
          aria-expanded={expanded}
        >
          {expanded ? 'Show fewer' : `Show all ${values.length}`}
        </button>
      ) : null}
    </fieldset>
  );
}

export function FacetPanel({ facets: all, filters, onToggle, disabled }: FacetPanelProps) {
  // A facet without values (a field this catalog does not fill) is noise: leave it out.
  const facets = all.filter((f) => f.values.some((v) => v.count > 0 || v.selected));
  if (facets.length === 0)
    return (
      <p className="muted small">
        {all.length === 0 ? 'The config asks for no facets.' : 'No facet values for these results.'}
      </p>
    );
  return (
    <div className="facet-panel" data-testid="facet-panel">
      {facets.map((facet) => (
        <FacetGroup
          key={facet.field}
          facet={facet}
          filters={filters}
          onToggle={onToggle}
          disabled={disabled}
        />
      ))}
    </div>
  );
}
