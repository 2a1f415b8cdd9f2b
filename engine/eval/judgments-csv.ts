/**
 * CSV judgments: `query,docid,rating` (the Icecat/Chorus format), header optional, RFC 4180
 * quoting (a query may contain commas or quotes), CRLF or LF. With a header, columns are found by
 * name, so wider files (e.g. one with `final_rating`) import with `columns: { rating: 'final_rating' }`.
 */
import {
  assembleQuerySet,
  type AssembleOptions,
  type JudgmentImport,
  type JudgmentIssue,
  type QuerySet,
  type RawJudgment,
} from './judgments.ts';

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span lines). */
  readonly line: number;
  readonly fields: readonly string[];
}

/** Splits CSV text into records; an unterminated quote is reported and ends the input. */
export function parseCsvRecords(text: string): { records: CsvRecord[]; issues: JudgmentIssue[] } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const issues: JudgmentIssue[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoteOpenedAt = 0;
  let inQuotes = false;
  let fieldWasQuoted = false;
  const endRecord = () => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !fieldWasQuoted;
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldWasQuoted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (inQuotes) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        inQuotes = false;
      } else {
        if (ch === '\n' || (ch === '\r' && source[i + 1] !== '\n')) line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      fieldWasQuoted = true;
      quoteOpenedAt = line;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) {
    issues.push({
      severity: 'error',
      code: 'MALFORMED_ROW',
      line: quoteOpenedAt,
      message: `line ${quoteOpenedAt}: quoted field is never closed; the rest of the file was skipped`,
    });
  } else if (field !== '' || fields.length > 0 || fieldWasQuoted) {
    endRecord();
  }
  return { records, issues };
}

export interface CsvColumns {
  query?: string;
  docId?: string;
  rating?: string;
}

export interface CsvImportOptions extends AssembleOptions {
  /** Header names to read the columns from (implies a header). */
  columns?: CsvColumns;
  /** 'auto' (default) recognises a header by its names; true/false forces it. */
  header?: 'auto' | boolean;
}

const KNOWN_NAMES = {
  query: ['query', 'query_text', 'querytext', 'keywords', 'q'],
  docId: ['docid', 'doc_id', 'id', 'doc', 'document', 'document_id', 'product_id'],
  rating: ['rating', 'grade', 'judgment', 'judgement', 'relevance', 'score'],
} as const;

type Column = keyof typeof KNOWN_NAMES;
type ColumnIndexes = Record<Column, number>;

const POSITIONAL: ColumnIndexes = { query: 0, docId: 1, rating: 2 };

function looksLikeHeader(fields: readonly string[]): boolean {
  const names = fields.map((f) => f.trim().toLowerCase());
  return (
    (Object.keys(KNOWN_NAMES) as Column[]).filter((c) =>
      names.some((n) => (KNOWN_NAMES[c] as readonly string[]).includes(n)),
    ).length >= 2
  );
}

function columnsFromHeader(header: CsvRecord, wanted: CsvColumns): ColumnIndexes | JudgmentIssue {
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const indexes = { ...POSITIONAL };
  for (const column of Object.keys(KNOWN_NAMES) as Column[]) {
    const explicit = wanted[column]?.toLowerCase();
    const candidates: readonly string[] = explicit ? [explicit] : KNOWN_NAMES[column];
    const index = names.findIndex((n) => candidates.includes(n));
    if (index === -1) {
      return {
        severity: 'error',
        code: 'MISSING_FIELD',
        line: header.line,
        message: `line ${header.line}: header has no ${column} column (looked for ${candidates.join(', ')}; found ${names.join(', ')})`,
      };
    }
    indexes[column] = index;
  }
  return indexes;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function rowToJudgment(
  record: CsvRecord,
  columns: ColumnIndexes,
  /** Number of header fields, or null for positional query,docid,rating rows. */
  headerWidth: number | null,
): RawJudgment | JudgmentIssue {
  const where = `line ${record.line}`;
  const fail = (code: JudgmentIssue['code'], message: string): JudgmentIssue => ({
    severity: 'error',
    code,
    line: record.line,
    message: `${where}: ${message}`,
  });
  const expected = headerWidth ?? 3;
  if (record.fields.length > expected) {
    const shape = headerWidth === null ? ' (query,docid,rating)' : ' (as many as the header)';
    return fail(
      'MALFORMED_ROW',
      `expected ${expected} fields${shape}, found ${record.fields.length}; quote a query that contains commas`,
    );
  }
  const value = (column: Column) => record.fields[columns[column]]?.trim() ?? '';
  const query = value('query');
  const docId = value('docId');
  const ratingText = value('rating');
  const missing = (['query', 'docId', 'rating'] as const).filter((c) => value(c) === '');
  if (missing.length > 0) return fail('MISSING_FIELD', `missing ${missing.join(', ')}`);
  if (!NUMBER.test(ratingText)) {
    return fail(
      'NON_NUMERIC_RATING',
      `rating "${ratingText}" is not a number (query "${query}", doc "${docId}")`,
    );
  }
  return { where, line: record.line, query, docId, rating: Number(ratingText) };
}

/** Parses CSV judgments; bad rows become issues with their line, the rest is imported. */
export function importCsvJudgments(text: string, options: CsvImportOptions = {}): JudgmentImport {
  const { records, issues } = parseCsvRecords(text);
  const first = records[0];
  const hasHeader =
    first !== undefined &&
    (options.header === true ||
      options.columns !== undefined ||
      (options.header !== false && looksLikeHeader(first.fields)));
  let columns = POSITIONAL;
  if (hasHeader) {
    const found = columnsFromHeader(first, options.columns ?? {});
    if ('severity' in found)
      return assembleQuerySet([], options, [...issues, found], records.length - 1);
    columns = found;
  }
  const rows: RawJudgment[] = [];
  for (const record of hasHeader ? records.slice(1) : records) {
    const result = rowToJudgment(record, columns, hasHeader ? first.fields.length : null);
    if ('severity' in result) issues.push(result);
    else rows.push(result);
  }
  return assembleQuerySet(rows, options, issues, hasHeader ? records.length - 1 : records.length);
}

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes `query,docid,rating` CSV (LF line ends), one row per rating, in query-set order. */
export function exportCsvJudgments(querySet: QuerySet, options: { header?: boolean } = {}): string {
  const lines = options.header === false ? [] : ['query,docid,rating'];
  for (const query of querySet.queries) {
    for (const r of query.ratings)
      lines.push(`${csvField(query.text)},${csvField(r.docId)},${r.rating}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
