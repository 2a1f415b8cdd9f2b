/**
 * One tunable: a range slider with its number, a switch for booleans, a selector for choices (a
 * domain's match type, its operator), and a reset when moved.
 */
import { useId } from 'react';
import type { Tunable } from '../state/config.ts';

export interface SliderProps {
  tunable: Tunable;
  value: number | boolean | string;
  onChange(value: number | boolean | string): void;
  onReset(): void;
}

function decimals(step: number): number {
  const text = String(step);
  return text.includes('.') ? text.split('.')[1]!.length : 0;
}

export function Slider({ tunable, value, onChange, onReset }: SliderProps) {
  const id = useId();
  const moved = value !== tunable.value;
  if (tunable.kind === 'boolean') {
    return (
      <div
        className={`slider-row ${moved ? 'moved' : ''}`}
        data-testid="slider"
        data-path={tunable.path}
      >
        <label className="check slider-switch" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            data-testid="slider-switch"
          />
          <span>{tunable.label}</span>
        </label>
        {moved ? (
          <button
            type="button"
            className="link-button small"
            onClick={onReset}
            aria-label={`Reset ${tunable.label}`}
          >
            reset
          </button>
        ) : null}
      </div>
    );
  }
  if (tunable.kind === 'choice') {
    return (
      <div
        className={`slider-row ${moved ? 'moved' : ''}`}
        data-testid="slider"
        data-path={tunable.path}
      >
        <div className="slider-head">
          <label htmlFor={id} className="slider-label" title={tunable.path}>
            {tunable.label}
          </label>
          <select
            id={id}
            value={String(value)}
            onChange={(e) => onChange(e.target.value)}
            data-testid="slider-choice"
          >
            {(tunable.options ?? []).map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          {moved ? <span className="muted small"> (was {String(tunable.value)})</span> : null}
          {moved ? (
            <button
              type="button"
              className="link-button small"
              onClick={onReset}
              aria-label={`Reset ${tunable.label}`}
            >
              reset
            </button>
          ) : null}
        </div>
      </div>
    );
  }
  const numeric = typeof value === 'number' ? value : Number(value);
  const places = decimals(tunable.step);
  return (
    <div
      className={`slider-row ${moved ? 'moved' : ''}`}
      data-testid="slider"
      data-path={tunable.path}
    >
      <div className="slider-head">
        <label htmlFor={id} className="slider-label" title={tunable.path}>
          {tunable.label}
        </label>
        <span className="slider-value" data-testid="slider-value">
          {numeric.toFixed(places)}
          {moved ? (
            <span className="muted"> (was {Number(tunable.value).toFixed(places)})</span>
          ) : null}
        </span>
        {moved ? (
          <button
            type="button"
            className="link-button small"
            onClick={onReset}
            aria-label={`Reset ${tunable.label}`}
          >
            reset
          </button>
        ) : null}
      </div>
      <input
        id={id}
        type="range"
        min={tunable.min}
        max={tunable.max}
        step={tunable.step}
        value={numeric}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-valuetext={numeric.toFixed(places)}
        data-testid="slider-input"
      />
    </div>
  );
}
