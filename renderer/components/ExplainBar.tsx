/**
 * One hit's score split into its parts — lexical per field, text and image kNN, ranking
 * functions, and what the explanation did not attribute — as a stacked bar with a legend.
 */
import { useEffect, useRef } from 'react';
import type { SpuHit } from '../state/search.ts';

type Breakdown = NonNullable<SpuHit['explain']>;

export interface ExplainPart {
  key: string;
  label: string;
  group: 'lexical' | 'knn' | 'functions' | 'other';
  value: number;
}

/** The parts with a value, largest lexical field first; each lexical field is its own part. */
export function explainParts(b: Breakdown): ExplainPart[] {
  const lexical = Object.entries(b.lexical.fields)
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([field, value]) => ({
      key: `lex:${field}`,
      label: `lexical · ${field}`,
      group: 'lexical' as const,
      value,
    }));
  const rest: ExplainPart[] = [
    { key: 'knn:text', label: 'kNN · text', group: 'knn', value: b.knn.text },
    { key: 'knn:image', label: 'kNN · image', group: 'knn', value: b.knn.image },
    { key: 'functions', label: 'ranking functions', group: 'functions', value: b.functions },
    { key: 'other', label: 'unattributed', group: 'other', value: b.other },
  ];
  // Lexical total can exceed the per-field sum (coordination, constant parts): keep the remainder visible.
  const fieldSum = lexical.reduce((s, p) => s + p.value, 0);
  const lexicalRest = b.lexical.total - fieldSum;
  if (lexicalRest > 1e-6)
    lexical.push({
      key: 'lex:rest',
      label: 'lexical · other',
      group: 'lexical',
      value: lexicalRest,
    });
  return [...lexical, ...rest.filter((p) => p.value > 1e-9)];
}

const SHADES: Record<ExplainPart['group'], string[]> = {
  lexical: ['#2f5bd3', '#5479e0', '#7b98ea', '#a2b8f2', '#c6d4f8'],
  knn: ['#1f8a4c', '#45b97a'],
  functions: ['#d9822b'],
  other: ['#98a1b2'],
};

function colourOf(parts: ExplainPart[], index: number): string {
  const part = parts[index]!;
  const nth = parts.slice(0, index).filter((p) => p.group === part.group).length;
  const shades = SHADES[part.group];
  return shades[Math.min(nth, shades.length - 1)]!;
}

export function ExplainBar({ breakdown }: { breakdown: Breakdown }) {
  const parts = explainParts(breakdown);
  const total = parts.reduce((s, p) => s + p.value, 0);
  if (total <= 0)
    return (
      <p className="muted">
        This hit has no positive score parts (a browse without a query scores every product the
        same).
      </p>
    );
  return (
    <div className="explain" data-testid="explain-breakdown">
      <div
        className="explain-bar"
        role="img"
        aria-label={parts.map((p) => `${p.label} ${p.value.toFixed(3)}`).join(', ')}
      >
        {parts.map((p, i) => (
          <span
            key={p.key}
            className="explain-seg"
            data-part={p.group}
            style={{ width: `${(p.value / total) * 100}%`, background: colourOf(parts, i) }}
            title={`${p.label}: ${p.value.toFixed(3)}`}
          />
        ))}
      </div>
      <table className="explain-legend">
        <tbody>
          {parts.map((p, i) => (
            <tr key={p.key} data-testid={`explain-part-${p.group}`}>
              <td>
                <span
                  className="swatch"
                  style={{ background: colourOf(parts, i) }}
                  aria-hidden="true"
                />
                {p.label}
              </td>
              <td className="num">{p.value.toFixed(3)}</td>
              <td className="num muted">{((p.value / total) * 100).toFixed(0)}%</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>{breakdown.fusion ? 'Sub-search scores' : 'Total score'}</td>
            <td className="num">{(breakdown.fusion ? total : breakdown.total).toFixed(3)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
      {breakdown.fusion && <FusionTable breakdown={breakdown} />}
    </div>
  );
}

const SOURCE_LABELS: Record<string, string> = {
  lexical: 'lexical search',
  text_knn: 'text kNN',
  image_knn: 'image kNN',
};

/**
 * How an engine-side fusion (ranking.fusion linear / rrf) turned the sub-searches into this hit's
 * score: per list its own score, rank, the value fused and its share of the total.
 */
function FusionTable({ breakdown }: { breakdown: Breakdown }) {
  const fusion = breakdown.fusion!;
  return (
    <table className="explain-legend" data-testid="explain-fusion">
      <caption>
        {fusion.method === 'rrf' ? 'Reciprocal rank fusion' : 'Linear fusion'} of the sub-searches
      </caption>
      <thead>
        <tr>
          <th>list</th>
          <th className="num">score</th>
          <th className="num">rank</th>
          <th className="num">{fusion.method === 'rrf' ? '1/(k+rank)' : 'normalised'}</th>
          <th className="num">weight</th>
          <th className="num">share</th>
        </tr>
      </thead>
      <tbody>
        {fusion.parts.map((part) => (
          <tr key={part.source} data-testid={`explain-fusion-${part.source}`}>
            <td>{SOURCE_LABELS[part.source] ?? part.source}</td>
            <td className="num">{part.score === null ? '—' : part.score.toFixed(3)}</td>
            <td className="num">{part.rank ?? 'not found'}</td>
            <td className="num">{part.normalized.toFixed(4)}</td>
            <td className="num">{part.weight}</td>
            <td className="num">{part.contribution.toFixed(4)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td>Fused score</td>
          <td />
          <td />
          <td />
          <td />
          <td className="num">{breakdown.total.toFixed(4)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

/** The popover around ExplainBar: a labelled dialog that takes focus and closes on Escape. */
export function ExplainPopover({
  hit,
  title,
  onClose,
}: {
  hit: SpuHit;
  title: string;
  onClose(): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div
      className="popover"
      role="dialog"
      aria-modal="false"
      aria-label={`Score explanation for ${title}`}
      tabIndex={-1}
      ref={ref}
      data-testid="explain-popover"
    >
      <div className="popover-head">
        <strong>Why this score</strong>
        <button
          type="button"
          className="icon-button"
          onClick={onClose}
          aria-label="Close explanation"
          data-testid="explain-close"
        >
          ×
        </button>
      </div>
      {hit.explain ? (
        <ExplainBar breakdown={hit.explain} />
      ) : (
        <p className="muted">No explanation was returned for this hit.</p>
      )}
    </div>
  );
}
