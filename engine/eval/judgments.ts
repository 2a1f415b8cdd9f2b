/**
 * Judgments in Quepid's vocabulary: a query set (Quepid's "case") holds queries, each with ratings
 * of documents on a graded scale (default 0–3: irrelevant … perfect).
 *
 * The persisted shape carries `schemaVersion`; importers (judgments-csv, -rre, -trec) turn raw rows
 * into a QuerySet through `assembleQuerySet`, which keeps going past bad rows and reports each one
 * with where it was.
 */
import { z } from 'zod';
import { RwbError } from '../errors.ts';

export const JUDGMENTS_SCHEMA_VERSION = 1;

export const RatingScaleSchema = z
  .object({
    min: z.number().int(),
    max: z.number().int(),
    /** Optional names of grades, e.g. { "0": "irrelevant", "3": "perfect" }. */
    labels: z.record(z.string(), z.string()).optional(),
  })
  .refine((scale) => scale.min < scale.max, { message: 'scale min must be below max' });
export type RatingScale = z.infer<typeof RatingScaleSchema>;

export const DEFAULT_SCALE: RatingScale = {
  min: 0,
  max: 3,
  labels: { '0': 'irrelevant', '1': 'related', '2': 'relevant', '3': 'perfect' },
};

export const RatingSchema = z.object({
  docId: z.string().min(1),
  rating: z.number().int(),
});
export type Rating = z.infer<typeof RatingSchema>;

export const QuerySchema = z.object({
  text: z.string().min(1),
  /** External id (e.g. a TREC qid) when the source had one. */
  id: z.string().min(1).optional(),
  ratings: z.array(RatingSchema),
  notes: z.string().optional(),
});
export type Query = z.infer<typeof QuerySchema>;

export const QuerySetSchema = z
  .object({
    schemaVersion: z.literal(JUDGMENTS_SCHEMA_VERSION),
    name: z.string().min(1),
    scale: RatingScaleSchema,
    tenant: z.string().optional(),
    index: z.string().optional(),
    queries: z.array(QuerySchema),
  })
  .superRefine((set, ctx) => {
    const texts = new Set<string>();
    set.queries.forEach((query, qi) => {
      if (texts.has(query.text)) {
        ctx.addIssue({
          code: 'custom',
          path: ['queries', qi, 'text'],
          message: `duplicate query "${query.text}"`,
        });
      }
      texts.add(query.text);
      const docs = new Set<string>();
      query.ratings.forEach((r, ri) => {
        const path = ['queries', qi, 'ratings', ri];
        if (docs.has(r.docId))
          ctx.addIssue({ code: 'custom', path, message: `duplicate doc "${r.docId}"` });
        docs.add(r.docId);
        if (r.rating < set.scale.min || r.rating > set.scale.max) {
          const message = `rating ${r.rating} outside scale ${set.scale.min}–${set.scale.max}`;
          ctx.addIssue({ code: 'custom', path, message });
        }
      });
    });
  });
export type QuerySet = z.infer<typeof QuerySetSchema>;

function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates a rating scale; throws RwbError INVALID_INPUT saying what is wrong. */
export function parseScale(input: unknown): RatingScale {
  const result = RatingScaleSchema.safeParse(input);
  if (!result.success) {
    throw new RwbError(
      'INVALID_INPUT',
      `rating scale is invalid: ${describeZodIssues(result.error)}`,
      input,
    );
  }
  return result.data;
}

/** Validates a query set (e.g. read back from disk); `where` names its source in the error. */
export function parseQuerySet(input: unknown, where: string): QuerySet {
  const result = QuerySetSchema.safeParse(input);
  if (!result.success) {
    throw new RwbError(
      'INVALID_INPUT',
      `${where} is not a valid query set: ${describeZodIssues(result.error)}`,
      {
        issues: result.error.issues,
      },
    );
  }
  return result.data;
}

export type JudgmentIssueCode =
  | 'MISSING_FIELD'
  | 'NON_NUMERIC_RATING'
  | 'NON_INTEGER_RATING'
  | 'RATING_OUT_OF_SCALE'
  | 'DUPLICATE_RATING'
  | 'MALFORMED_ROW'
  | 'UNKNOWN_QUERY_ID';

/** A problem found while importing; errors drop the row, warnings keep going with a resolution. */
export interface JudgmentIssue {
  readonly severity: 'error' | 'warning';
  readonly code: JudgmentIssueCode;
  /** Says what and where, e.g. `line 12: rating "x" is not a number`. */
  readonly message: string;
  /** 1-based line in the source text, for line-based formats. */
  readonly line?: number;
  /** JSON path in the source, for JSON formats. */
  readonly path?: string;
}

export interface JudgmentImport {
  readonly querySet: QuerySet;
  readonly issues: readonly JudgmentIssue[];
  readonly stats: {
    rowsRead: number;
    ratingsKept: number;
    rowsRejected: number;
    duplicates: number;
  };
}

/** A rating as a parser found it, before scale checks and de-duplication. */
export interface RawJudgment {
  /** Human location: `line 12` or `queries[0].relevant_documents.3[4]`. */
  readonly where: string;
  readonly line?: number;
  readonly path?: string;
  readonly query: string;
  readonly queryId?: string;
  readonly docId: string;
  readonly rating: number;
}

export type DuplicatePolicy = 'last' | 'first' | 'max';

export interface AssembleOptions {
  name?: string;
  scale?: RatingScale;
  tenant?: string;
  index?: string;
  /** Which rating wins when a (query, doc) pair is rated twice; default 'last' (later edits win). */
  duplicates?: DuplicatePolicy;
}

function locate(raw: Pick<RawJudgment, 'line' | 'path'>): Pick<JudgmentIssue, 'line' | 'path'> {
  return {
    ...(raw.line !== undefined && { line: raw.line }),
    ...(raw.path !== undefined && { path: raw.path }),
  };
}

function scaleIssue(raw: RawJudgment, scale: RatingScale): JudgmentIssue | null {
  const what = `(query "${raw.query}", doc "${raw.docId}")`;
  if (!Number.isInteger(raw.rating)) {
    const message = `${raw.where}: rating ${raw.rating} is not a whole grade ${what}`;
    return { severity: 'error', code: 'NON_INTEGER_RATING', message, ...locate(raw) };
  }
  if (raw.rating < scale.min || raw.rating > scale.max) {
    const message = `${raw.where}: rating ${raw.rating} is outside the scale ${scale.min}–${scale.max} ${what}`;
    return { severity: 'error', code: 'RATING_OUT_OF_SCALE', message, ...locate(raw) };
  }
  return null;
}

function resolveDuplicate(
  policy: DuplicatePolicy,
  kept: RawJudgment,
  incoming: RawJudgment,
): RawJudgment {
  if (policy === 'first') return kept;
  if (policy === 'max') return incoming.rating > kept.rating ? incoming : kept;
  return incoming;
}

/**
 * Builds a valid QuerySet from parsed rows: out-of-scale ratings are dropped with an error, a
 * repeated (query, doc) pair is resolved by `duplicates` with a warning. Query order is the order
 * of first appearance; a query's ratings keep their first position.
 */
export function assembleQuerySet(
  rows: readonly RawJudgment[],
  options: AssembleOptions = {},
  parseIssues: readonly JudgmentIssue[] = [],
  rowsRead = rows.length + parseIssues.filter((i) => i.severity === 'error').length,
): JudgmentImport {
  const scale = parseScale(options.scale ?? DEFAULT_SCALE);
  const policy = options.duplicates ?? 'last';
  const issues: JudgmentIssue[] = [...parseIssues];
  const byQuery = new Map<string, { id?: string; docs: Map<string, RawJudgment> }>();
  let duplicates = 0;
  for (const raw of rows) {
    const problem = scaleIssue(raw, scale);
    if (problem) {
      issues.push(problem);
      continue;
    }
    let entry = byQuery.get(raw.query);
    if (!entry) {
      entry = { ...(raw.queryId !== undefined && { id: raw.queryId }), docs: new Map() };
      byQuery.set(raw.query, entry);
    }
    const previous = entry.docs.get(raw.docId);
    if (!previous) {
      entry.docs.set(raw.docId, raw);
      continue;
    }
    duplicates++;
    const winner = resolveDuplicate(policy, previous, raw);
    entry.docs.set(raw.docId, winner);
    issues.push({
      severity: 'warning',
      code: 'DUPLICATE_RATING',
      message:
        `${raw.where}: (query "${raw.query}", doc "${raw.docId}") rated ${raw.rating} here and ` +
        `${previous.rating} at ${previous.where}; kept ${winner.rating} (${policy} wins)`,
      ...locate(raw),
    });
  }
  const queries: Query[] = [...byQuery].map(([text, entry]) => ({
    text,
    ...(entry.id !== undefined && { id: entry.id }),
    ratings: [...entry.docs.values()].map((raw) => ({ docId: raw.docId, rating: raw.rating })),
  }));
  const querySet = parseQuerySet(
    {
      schemaVersion: JUDGMENTS_SCHEMA_VERSION,
      name: options.name ?? 'judgments',
      scale,
      ...(options.tenant !== undefined && { tenant: options.tenant }),
      ...(options.index !== undefined && { index: options.index }),
      queries,
    },
    'imported judgments',
  );
  const ratingsKept = queries.reduce((n, q) => n + q.ratings.length, 0);
  const rowsRejected = issues.filter((i) => i.severity === 'error').length;
  // Stable sort: issues read in file order, whichever stage found them; path-only issues keep theirs.
  issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { querySet, issues, stats: { rowsRead, ratingsKept, rowsRejected, duplicates } };
}

/** Query text → (doc id → rating): the shape metrics consume. */
export function ratingsByQuery(querySet: QuerySet): Map<string, Map<string, number>> {
  return new Map(
    querySet.queries.map((q) => [q.text, new Map(q.ratings.map((r) => [r.docId, r.rating]))]),
  );
}

/** Queries where no rating has positive gain (all 0): their ideal DCG is 0, so metrics can't rank them. */
export function queriesWithNoPositiveRating(querySet: QuerySet): string[] {
  return querySet.queries.filter((q) => !q.ratings.some((r) => r.rating > 0)).map((q) => q.text);
}

export interface UnknownDocId {
  readonly query: string;
  readonly docId: string;
}

/** Rated doc ids that the index does not hold (reported, never fatal). */
export function findUnknownDocIds(
  querySet: QuerySet,
  existingIds: ReadonlySet<string> | ((docId: string) => boolean),
): UnknownDocId[] {
  const exists =
    typeof existingIds === 'function' ? existingIds : (id: string) => existingIds.has(id);
  return querySet.queries.flatMap((q) =>
    q.ratings.filter((r) => !exists(r.docId)).map((r) => ({ query: q.text, docId: r.docId })),
  );
}
