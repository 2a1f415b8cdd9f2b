/**
 * Query sets as the CLI and the app address them: by the store id (`tenant~index~name`), imported
 * from text into the store, rated one document at a time from the UI.
 */
import { RwbError } from '../errors.ts';
import { importJudgments, type JudgmentFormat } from './judgments-io.ts';
import {
  parseQuerySet,
  type JudgmentIssue,
  type JudgmentImport,
  type QuerySet,
} from './judgments.ts';
import {
  isQuerySetId,
  type QuerySetStore,
  type StoredQuerySetInfo,
} from './store/query-set-store.ts';

/** The stored set with this id; NOT_FOUND names the ids there are. */
export async function loadQuerySetById(
  store: QuerySetStore,
  id: string,
): Promise<{ querySet: QuerySet; info: StoredQuerySetInfo }> {
  const { sets } = await store.list();
  const info = sets.find((s) => s.id === id) ?? matchByName(sets, id);
  if (!info) {
    const known = sets.map((s) => s.id);
    throw new RwbError(
      'NOT_FOUND',
      `no stored query set "${id}"${known.length > 0 ? ` (stored: ${known.slice(0, 10).join(', ')})` : ' (none imported yet: rwb judgments import <file>)'}`,
      { id },
    );
  }
  const querySet = await store.load({
    name: info.name,
    ...(info.tenant !== undefined && { tenant: info.tenant }),
    ...(info.index !== undefined && { index: info.index }),
  });
  return { querySet, info };
}

/**
 * Changes a stored set (by id, or a bare name that one set has) in one transaction. An id goes
 * straight to the store's lock — no listing first — so changes fired without waiting (the
 * Judgments screen's key presses) apply in the order they were made.
 */
export async function updateQuerySetById(
  store: QuerySetStore,
  id: string,
  change: (set: QuerySet) => QuerySet,
): Promise<{ querySet: QuerySet; info: StoredQuerySetInfo }> {
  if (isQuerySetId(id)) {
    try {
      return await store.updateById(id, change);
    } catch (err) {
      if (!(err instanceof RwbError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const { info } = await loadQuerySetById(store, id);
  return store.updateById(info.id, change);
}

/** A bare name matches when exactly one stored set has it. */
function matchByName(
  sets: readonly StoredQuerySetInfo[],
  name: string,
): StoredQuerySetInfo | undefined {
  const named = sets.filter((s) => s.name === name);
  if (named.length > 1) {
    throw new RwbError(
      'INVALID_INPUT',
      `${named.length} stored query sets are named "${name}" (${named.map((s) => s.id).join(', ')}); use the id`,
    );
  }
  return named[0];
}

export interface ImportIntoStoreOptions {
  readonly text: string;
  readonly format: JudgmentFormat;
  readonly name: string;
  readonly tenant?: string;
  readonly index?: string;
  /** Replace a stored set of the same tenant/index/name. */
  readonly overwrite?: boolean;
  /** Add the imported ratings to a stored set of the same tenant/index/name (they win per doc). */
  readonly merge?: boolean;
  /** TREC only: qid → query text. */
  readonly queryTexts?: ReadonlyMap<string, string>;
}

export interface ImportIntoStoreResult {
  readonly info: StoredQuerySetInfo;
  readonly issues: readonly JudgmentIssue[];
  readonly stats: JudgmentImport['stats'];
}

/** Imports judgment text and saves the query set; bad rows are reported, not fatal. */
export async function importIntoStore(
  store: QuerySetStore,
  options: ImportIntoStoreOptions,
): Promise<ImportIntoStoreResult> {
  const imported = importJudgments(options.text, options.format, {
    name: options.name,
    ...(options.tenant !== undefined && { tenant: options.tenant }),
    ...(options.index !== undefined && { index: options.index }),
    ...(options.queryTexts && { queryTexts: options.queryTexts }),
  });
  if (imported.querySet.queries.length === 0) {
    const first = imported.issues.find((i) => i.severity === 'error');
    throw new RwbError(
      'INVALID_INPUT',
      `no judgments could be read as ${options.format}${first ? ` (first problem: ${first.message})` : ''}`,
      { issues: imported.issues.slice(0, 50) },
    );
  }
  const info = await store.save(imported.querySet, {
    overwrite: options.overwrite ?? false,
    merge: options.merge ?? false,
  });
  return { info, issues: imported.issues, stats: imported.stats };
}

/**
 * A copy of the set with `query`'s rating of `docId` set (a new query or doc is added) or, with
 * rating null, removed. Ratings outside the set's scale are refused.
 */
export function withRating(
  querySet: QuerySet,
  query: string,
  docId: string,
  rating: number | null,
): QuerySet {
  const { min, max } = querySet.scale;
  if (rating !== null && (!Number.isInteger(rating) || rating < min || rating > max)) {
    throw new RwbError(
      'INVALID_INPUT',
      `rating ${rating} for doc "${docId}" is outside the scale ${min}–${max} of query set "${querySet.name}"`,
    );
  }
  const queries = querySet.queries.map((q) => ({ ...q, ratings: [...q.ratings] }));
  let target = queries.find((q) => q.text === query);
  if (!target) {
    if (rating === null) return querySet;
    target = { text: query, ratings: [] };
    queries.push(target);
  }
  const at = target.ratings.findIndex((r) => r.docId === docId);
  if (rating === null) {
    if (at >= 0) target.ratings.splice(at, 1);
  } else if (at >= 0) {
    target.ratings[at] = { docId, rating };
  } else {
    target.ratings.push({ docId, rating });
  }
  return parseQuerySet({ ...querySet, queries }, `query set "${querySet.name}"`);
}
