/**
 * The query input with the expression syntax highlighted (domains, operators, phrases, parens)
 * and a parse error underlined at its position with the message below. The colours live in a
 * mirror layer behind a transparent-text input, so typing, IME and selection stay native.
 */
import { useId, useRef, type KeyboardEvent } from 'react';
import type { QueryCheck } from '../state/search.ts';

type Span = QueryCheck['tokens'][number];

interface Segment {
  text: string;
  kind: Span['kind'] | 'plain';
  error: boolean;
}

/** Splits the text at every token and error boundary; each piece knows its kind and error flag. */
export function highlightSegments(text: string, check: QueryCheck | null): Segment[] {
  if (!check) return [{ text, kind: 'plain', error: false }];
  const errorStart = check.error ? Math.min(check.error.position, text.length) : -1;
  const errorEnd = check.error
    ? Math.min(text.length, errorStart + Math.max(1, check.error.length))
    : -1;
  const cuts = new Set<number>([0, text.length]);
  for (const t of check.tokens) {
    if (t.end <= text.length) {
      cuts.add(t.start);
      cuts.add(t.end);
    }
  }
  if (check.error) {
    cuts.add(errorStart);
    cuts.add(errorEnd);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const token = check.tokens.find((t) => t.start <= start && end <= t.end);
    segments.push({
      text: text.slice(start, end),
      kind: token?.kind ?? 'plain',
      error: check.error !== null && start >= errorStart && end <= errorEnd,
    });
  }
  return segments;
}

export interface QueryBoxProps {
  value: string;
  onChange(value: string): void;
  onSubmit(): void;
  /** The check of `checkedText`; ignored when the text has changed since. */
  check: QueryCheck | null;
  checkedText: string | null;
  label?: string;
  placeholder?: string;
  testId?: string;
}

export function QueryBox({
  value,
  onChange,
  onSubmit,
  check,
  checkedText,
  label = 'Query',
  placeholder,
  testId = 'query-input',
}: QueryBoxProps) {
  const inputId = useId();
  const errorId = useId();
  const mirror = useRef<HTMLDivElement>(null);
  const current = checkedText === value ? check : null;
  const error = current?.error ?? null;
  const atEnd = error !== null && error.position >= value.length;
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      onSubmit();
    }
  };
  return (
    <div className="querybox-field">
      <label htmlFor={inputId} className="querybox-label">
        {label}
      </label>
      <div className={`querybox ${error ? 'has-error' : ''}`} data-testid="query-box">
        <div className="querybox-mirror" aria-hidden="true" ref={mirror}>
          {highlightSegments(value, current).map((segment, i) => (
            <span key={i} className={`qt-${segment.kind}${segment.error ? ' qt-error' : ''}`}>
              {segment.text}
            </span>
          ))}
          {atEnd ? <span className="qt-error qt-end">{'\u00a0'}</span> : null}
        </div>
        <input
          id={inputId}
          className="querybox-input"
          type="text"
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onScroll={(e) => {
            if (mirror.current) mirror.current.scrollLeft = e.currentTarget.scrollLeft;
          }}
          data-testid={testId}
        />
      </div>
      {error ? (
        <p
          id={errorId}
          className="query-error"
          role="alert"
          data-testid="query-error"
          data-position={error.position}
        >
          {error.message}
          {error.expected.length ? (
            <span className="muted"> — expected {error.expected.join(' or ')}</span>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
