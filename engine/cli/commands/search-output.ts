/**
 * Human-readable output of `rwb search`: a results table (CJK-aware widths) and the query info
 * an analyst wants at a glance — language, rewrites, translations, took, warnings.
 */
import type { SearchResponse, SpuResult } from '../../search/response-schema.ts';

const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

/** Terminal columns a string takes (East Asian wide characters take two). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

export function fitWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = WIDE.test(ch) ? 2 : 1;
    if (used + w > width - (displayWidth(text) > width ? 1 : 0)) {
      out += '…';
      used += 1;
      break;
    }
    out += ch;
    used += w;
  }
  return out + ' '.repeat(Math.max(0, width - used));
}

function titleOf(result: SpuResult): string {
  return (result.titles.zh ?? result.titles.en ?? result.handle ?? '').replace(/\s+/g, ' ');
}

function priceOf(result: SpuResult): string {
  const { min, max } = result.prices;
  if (min === null && max === null) return '-';
  if (min === null || max === null || min === max) return String(min ?? max);
  return `${min}–${max}`;
}

const score = (value: number | null): string => (value === null ? '-' : value.toFixed(4));

/**
 * `notices` are about the setup rather than this query (e.g. no translator and no English titles);
 * they follow the query's own warnings.
 */
export function renderSearchTable(
  response: SearchResponse,
  titleWidth = 48,
  notices: readonly string[] = [],
): string {
  const lines: string[] = [];
  const { query } = response;
  const language = `${query.language.language} (${query.language.overridden ? 'given' : `${query.language.method}, ${query.language.confidence.toFixed(2)}`})`;
  lines.push(`Query:        ${query.original === '' ? '(browse)' : query.original}`);
  if (query.rewrites.length > 0) {
    lines.push(
      `Rewritten:    ${query.rewritten}  (${query.rewrites.map((r) => `${r.mode} "${r.key}"`).join(', ')})`,
    );
  }
  if (query.expression !== '' && query.expression !== query.original)
    lines.push(`Parsed as:    ${query.expression}`);
  lines.push(`Language:     ${language}`);
  const translations = Object.entries(query.translations);
  lines.push(
    `Translations: ${translations.length === 0 ? '-' : translations.map(([lang, text]) => `${lang}: ${text}`).join('; ')}`,
  );
  lines.push(
    `Ranking:      ${query.ranking.expression}  (kNN text: ${query.ranking.knn.text ? 'on' : 'off'}, image: ${query.ranking.knn.image ? 'on' : 'off'}; fusion: ${fusionText(query.ranking.fusion)})`,
  );
  lines.push(
    `Took:         ${query.took} ms in Elasticsearch, ${query.timings.total_ms ?? '?'} ms in total`,
  );
  lines.push(
    `Hits:         ${response.total}${response.total_relation === 'gte' ? '+' : ''} (showing ${response.from + 1}–${response.from + response.results.length})`,
  );
  for (const warning of query.warnings) lines.push(`Warning:      ${warning}`);
  for (const notice of notices) lines.push(`Notice:       ${notice}`);
  lines.push('');
  if (response.results.length === 0) {
    lines.push('No results.');
  } else {
    const rankWidth = Math.max(4, String(response.from + response.results.length).length);
    const idWidth = Math.max(6, ...response.results.map((r) => displayWidth(r.spu_id)));
    const priceWidth = Math.max(5, ...response.results.map((r) => displayWidth(priceOf(r))));
    lines.push(
      `${fitWidth('Rank', rankWidth)}  ${fitWidth('SPU', idWidth)}  ${fitWidth('Title', titleWidth)}  ${fitWidth('Price', priceWidth)}  Score`,
    );
    lines.push(
      `${'-'.repeat(rankWidth)}  ${'-'.repeat(idWidth)}  ${'-'.repeat(titleWidth)}  ${'-'.repeat(priceWidth)}  ------`,
    );
    response.results.forEach((result, i) => {
      lines.push(
        `${fitWidth(String(response.from + i + 1), rankWidth)}  ${fitWidth(result.spu_id, idWidth)}  ${fitWidth(titleOf(result), titleWidth)}  ${fitWidth(priceOf(result), priceWidth)}  ${score(result.relevance_score)}`,
      );
      const explain = result.explain;
      if (explain !== undefined) {
        const fields = Object.entries(explain.lexical.fields)
          .map(([field, value]) => `${field} ${value.toFixed(3)}`)
          .join(', ');
        lines.push(
          `${' '.repeat(rankWidth + 2)}= lexical ${explain.lexical.total.toFixed(4)}${fields === '' ? '' : ` [${fields}]`} + kNN text ${explain.knn.text.toFixed(4)} + image ${explain.knn.image.toFixed(4)} + functions ${explain.functions.toFixed(4)}${explain.other === 0 ? '' : ` + other ${explain.other.toFixed(4)}`}`,
        );
      }
    });
  }
  for (const facet of response.facets) {
    if (facet.values.length === 0) continue;
    const values = facet.values.map((value) => `${value.label} (${value.count})`).join(', ');
    lines.push(
      '',
      `Facet ${facet.label === '' ? facet.field : `${facet.label} [${facet.field}]`}: ${values}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function fusionText(fusion: { method: string; fused: boolean }): string {
  if (fusion.method === 'sum') return 'sum';
  return fusion.fused
    ? `${fusion.method}, in the engine`
    : `${fusion.method} (nothing to fuse: one search)`;
}
