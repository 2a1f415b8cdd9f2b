/**
 * TREC qrels: one `qid iteration docid rating` line per judgment (whitespace-separated; the
 * iteration column is ignored, conventionally 0). Qrels carry query ids, not text, so a query
 * map (`qid<TAB>text` per line, as in TREC/MS MARCO topic files) travels with them.
 */
import {
  assembleQuerySet,
  type AssembleOptions,
  type JudgmentImport,
  type JudgmentIssue,
  type QuerySet,
  type RawJudgment,
} from './judgments.ts';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function isSkippable(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#');
}

/** Reads `qid<TAB>text` lines (a space works too); lines without text are reported. */
export function parseQueryIdMap(text: string): {
  queries: Map<string, string>;
  issues: JudgmentIssue[];
} {
  const queries = new Map<string, string>();
  const issues: JudgmentIssue[] = [];
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    if (isSkippable(raw)) return;
    const line = index + 1;
    const match = /^\s*(\S+)\s+(.*\S)\s*$/.exec(raw);
    if (!match) {
      issues.push({
        severity: 'error',
        code: 'MISSING_FIELD',
        line,
        message: `line ${line}: expected "qid<TAB>query text"`,
      });
      return;
    }
    queries.set(match[1], match[2]);
  });
  return { queries, issues };
}

export interface TrecImportOptions extends AssembleOptions {
  /** qid → query text; without it (or for qids it lacks) the qid is used as the text. */
  queryTexts?: ReadonlyMap<string, string>;
}

/** Parses qrels; malformed lines become issues with their line number. */
export function importTrecJudgments(text: string, options: TrecImportOptions = {}): JudgmentImport {
  const rows: RawJudgment[] = [];
  const issues: JudgmentIssue[] = [];
  const unmappedQids = new Set<string>();
  let rowsRead = 0;
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    if (isSkippable(raw)) return;
    rowsRead++;
    const line = index + 1;
    const where = `line ${line}`;
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 4) {
      const code = fields.length < 4 ? 'MISSING_FIELD' : 'MALFORMED_ROW';
      const message = `${where}: expected 4 fields "qid iteration docid rating", found ${fields.length}`;
      issues.push({ severity: 'error', code, line, message });
      return;
    }
    const [qid, , docId, ratingText] = fields as [string, string, string, string];
    if (!NUMBER.test(ratingText)) {
      const message = `${where}: rating "${ratingText}" is not a number (qid ${qid}, doc "${docId}")`;
      issues.push({ severity: 'error', code: 'NON_NUMERIC_RATING', line, message });
      return;
    }
    const mapped = options.queryTexts?.get(qid);
    if (options.queryTexts && mapped === undefined && !unmappedQids.has(qid)) {
      unmappedQids.add(qid);
      const message = `${where}: qid ${qid} is not in the query map; its id is used as the query text`;
      issues.push({ severity: 'warning', code: 'UNKNOWN_QUERY_ID', line, message });
    }
    rows.push({
      where,
      line,
      query: mapped ?? qid,
      queryId: qid,
      docId,
      rating: Number(ratingText),
    });
  });
  return assembleQuerySet(rows, options, issues, rowsRead);
}

/** Stable qids: a query's own id when it has a unique one, else the next free number from 1. */
function assignQueryIds(querySet: QuerySet): string[] {
  const taken = new Set<string>();
  const own = querySet.queries.map((q) => {
    if (q.id === undefined || /\s/.test(q.id) || taken.has(q.id)) return undefined;
    taken.add(q.id);
    return q.id;
  });
  let next = 1;
  return own.map((id) => {
    if (id !== undefined) return id;
    while (taken.has(String(next))) next++;
    taken.add(String(next));
    return String(next);
  });
}

export interface TrecExport {
  readonly qrels: string;
  /** `qid<TAB>text` lines, to read back with parseQueryIdMap. */
  readonly queries: string;
  /** Ratings left out because their doc id contains whitespace, which qrels cannot hold. */
  readonly skipped: ReadonlyArray<{ query: string; docId: string }>;
}

/** Writes qrels plus the matching query map. */
export function exportTrecJudgments(querySet: QuerySet): TrecExport {
  const ids = assignQueryIds(querySet);
  const qrels: string[] = [];
  const queries: string[] = [];
  const skipped: Array<{ query: string; docId: string }> = [];
  querySet.queries.forEach((query, i) => {
    const qid = ids[i];
    queries.push(`${qid}\t${query.text.replace(/[\t\r\n]+/g, ' ')}`);
    for (const r of query.ratings) {
      if (/\s/.test(r.docId)) skipped.push({ query: query.text, docId: r.docId });
      else qrels.push(`${qid} 0 ${r.docId} ${r.rating}`);
    }
  });
  const joined = (lines: string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return { qrels: joined(qrels), queries: joined(queries), skipped };
}
