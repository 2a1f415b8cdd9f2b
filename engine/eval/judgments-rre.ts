/**
 * Rated Ranking Evaluator (RRE) ratings JSON. RRE files come in a few shapes, all read here:
 * - flat: `{ index, id_field, queries: [{ placeholders: { "$query": "laptop" }, relevant_documents }] }`
 *   (the Icecat file);
 * - nested: `topics[].query_groups[].queries[]`, with `relevant_documents` on the query group
 *   (applies to every query of the group) or on the query;
 * - `relevant_documents` either grade → [ids] (`{ "3": ["a", "b"] }`) or id → { gain }
 *   (`{ "a": { "gain": 3 } }`).
 * The query text is the placeholder named by `query_placeholder` (default `$query`). Export writes
 * the flat grade → ids shape.
 */
import { RwbError } from '../errors.ts';
import {
  assembleQuerySet,
  type AssembleOptions,
  type JudgmentImport,
  type JudgmentIssue,
  type QuerySet,
  type RawJudgment,
} from './judgments.ts';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Walk {
  readonly rows: RawJudgment[];
  readonly issues: JudgmentIssue[];
  readonly placeholder: string;
  rowsRead: number;
}

function issue(walk: Walk, path: string, code: JudgmentIssue['code'], message: string): void {
  walk.issues.push({ severity: 'error', code, path, message: `${path}: ${message}` });
}

function queryText(walk: Walk, query: Json, path: string): string | null {
  const placeholders = isObject(query) ? query.placeholders : undefined;
  if (!isObject(placeholders)) {
    issue(walk, path, 'MISSING_FIELD', 'query has no placeholders');
    return null;
  }
  const keys = Object.keys(placeholders);
  const key =
    [walk.placeholder, '$query', 'query', 'q'].find((k) => Object.hasOwn(placeholders, k)) ??
    (keys.length === 1 ? keys[0] : undefined);
  const text = key === undefined ? undefined : placeholders[key];
  if (typeof text !== 'string' || text.trim() === '') {
    issue(
      walk,
      `${path}.placeholders`,
      'MISSING_FIELD',
      `no "${walk.placeholder}" placeholder with the query text`,
    );
    return null;
  }
  return text.trim();
}

function toRating(walk: Walk, value: Json, path: string, context: string): number | null {
  const rating = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof rating !== 'number' || !Number.isFinite(rating)) {
    issue(
      walk,
      path,
      'NON_NUMERIC_RATING',
      `rating ${JSON.stringify(value)} is not a number (${context})`,
    );
    return null;
  }
  return rating;
}

function addRating(walk: Walk, path: string, query: string, docId: Json, rating: number): void {
  walk.rowsRead++;
  if ((typeof docId !== 'string' && typeof docId !== 'number') || String(docId).trim() === '') {
    issue(
      walk,
      path,
      'MISSING_FIELD',
      `document id ${JSON.stringify(docId)} is empty or not a string (query "${query}")`,
    );
    return;
  }
  walk.rows.push({ where: path, path, query, docId: String(docId).trim(), rating });
}

function readRelevantDocuments(walk: Walk, docs: Json, path: string, query: string): void {
  if (!isObject(docs)) {
    issue(
      walk,
      path,
      'MISSING_FIELD',
      `relevant_documents is missing or not an object (query "${query}")`,
    );
    return;
  }
  for (const [key, value] of Object.entries(docs)) {
    const entryPath = `${path}.${key}`;
    if (Array.isArray(value)) {
      const rating = toRating(walk, key, entryPath, `grade key of query "${query}"`);
      if (rating === null) {
        walk.rowsRead += value.length;
        continue;
      }
      value.forEach((docId, i) => addRating(walk, `${entryPath}[${i}]`, query, docId, rating));
    } else if (isObject(value) && Object.hasOwn(value, 'gain')) {
      const rating = toRating(
        walk,
        value.gain,
        `${entryPath}.gain`,
        `query "${query}", doc "${key}"`,
      );
      if (rating !== null) addRating(walk, entryPath, query, key, rating);
    } else {
      walk.rowsRead++;
      issue(
        walk,
        entryPath,
        'MALFORMED_ROW',
        `expected a list of ids or { "gain": n } (query "${query}")`,
      );
    }
  }
}

function readQueries(walk: Walk, container: Record<string, Json>, path: string): void {
  const queries = container.queries;
  if (Array.isArray(queries)) {
    queries.forEach((query, i) => {
      const queryPath = `${path}queries[${i}]`;
      const text = queryText(walk, query, queryPath);
      if (text === null) return;
      const own = isObject(query) ? query.relevant_documents : undefined;
      const docs = own ?? container.relevant_documents;
      const docsPath =
        own !== undefined ? `${queryPath}.relevant_documents` : `${path}relevant_documents`;
      readRelevantDocuments(walk, docs, docsPath, text);
    });
  }
  for (const nested of ['topics', 'query_groups'] as const) {
    const children = container[nested];
    if (!Array.isArray(children)) continue;
    children.forEach((child, i) => {
      if (isObject(child)) readQueries(walk, child, `${path}${nested}[${i}].`);
    });
  }
}

/** Parses an RRE ratings file; a file that is not JSON at all is a PARSE_ERROR, bad entries are issues. */
export function importRreJudgments(text: string, options: AssembleOptions = {}): JudgmentImport {
  let root: Json;
  try {
    // Windows editors save JSON with a UTF-8 byte-order mark, which JSON.parse refuses.
    root = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    throw new RwbError(
      'PARSE_ERROR',
      `RRE ratings are not valid JSON: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  if (!isObject(root))
    throw new RwbError(
      'PARSE_ERROR',
      'RRE ratings must be a JSON object with "queries" or "topics"',
    );
  const placeholder =
    typeof root.query_placeholder === 'string' ? root.query_placeholder : '$query';
  const walk: Walk = { rows: [], issues: [], placeholder, rowsRead: 0 };
  readQueries(walk, root, '');
  const index = options.index ?? (typeof root.index === 'string' ? root.index : undefined);
  return assembleQuerySet(
    walk.rows,
    { ...options, ...(index !== undefined && { index }) },
    walk.issues,
    walk.rowsRead,
  );
}

/** Writes the flat RRE shape: one entry per query, `relevant_documents` grade → ids (all grades). */
export function exportRreJudgments(
  querySet: QuerySet,
  options: { idField?: string; index?: string } = {},
): string {
  const queries = querySet.queries.map((query) => {
    const byGrade: Record<string, string[]> = {};
    for (const r of query.ratings) (byGrade[String(r.rating)] ??= []).push(r.docId);
    return { placeholders: { $query: query.text }, relevant_documents: byGrade };
  });
  const index = options.index ?? querySet.index;
  const document = {
    ...(index !== undefined && { index }),
    id_field: options.idField ?? 'id',
    queries,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
