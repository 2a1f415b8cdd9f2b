/** What the engine made of the query: language, rewrites, translations, expression, timings, warnings. */
import type { SearchResult } from '../state/search.ts';

export function QueryInfo({ result }: { result: SearchResult }) {
  const q = result.query;
  const translations = Object.entries(q.translations);
  return (
    <div className="query-info" data-testid="query-info" aria-label="How the query was understood">
      {q.original.trim() ? (
        <span
          className="qi-item"
          data-testid="qi-language"
          title={`detected by ${q.language.method}`}
        >
          <span className="qi-key">Language</span> {q.language.language}
          {q.language.overridden ? ' (chosen)' : ` · ${(q.language.confidence * 100).toFixed(0)}%`}
        </span>
      ) : (
        <span className="qi-item muted">Browsing: no query, every product of the tenant</span>
      )}
      {q.rewrites.length ? (
        <span className="qi-item" data-testid="qi-rewrites">
          <span className="qi-key">Rewrites</span>{' '}
          {q.rewrites.map((r) => `${r.key} → ${r.value}`).join('; ')}
        </span>
      ) : null}
      {translations.length ? (
        <span className="qi-item" data-testid="qi-translations">
          <span className="qi-key">Translations</span>{' '}
          {translations.map(([lang, text]) => `${lang}: ${text}`).join('; ')}
        </span>
      ) : null}
      {q.expression && q.expression !== q.original.trim() ? (
        <span className="qi-item">
          <span className="qi-key">Parsed as</span> <code>{q.expression}</code>
        </span>
      ) : null}
      {q.ranking.knn.text || q.ranking.knn.image ? (
        <span
          className="qi-item"
          data-testid="qi-fusion"
          title="ranking.fusion: how the lexical and the kNN results became one ranking"
        >
          <span className="qi-key">Hybrid</span>{' '}
          {q.ranking.fusion.fused
            ? `${q.ranking.fusion.method} fusion in the engine`
            : q.ranking.fusion.method === 'sum'
              ? 'scores added by ES (sum)'
              : `${q.ranking.fusion.method} not applied: one search`}
        </span>
      ) : null}
      <span className="qi-item" data-testid="qi-took">
        <span className="qi-key">Took</span> {q.took} ms in ES · {result.latencyMs} ms total
      </span>
      <span className="qi-item">
        <span className="qi-key">Config</span> {result.config.label}
      </span>
      {q.warnings.map((w) => (
        <span key={w} className="qi-item qi-warning" role="note">
          {w}
        </span>
      ))}
    </div>
  );
}
