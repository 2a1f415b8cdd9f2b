/**
 * The experiment record, in Quepid's words: a Try is an immutable config revision with a parent
 * and a note; runs score a revision on a query set; snapshots keep the top k per query with
 * positions (and explain) so a later run can be diffed against them; the runs of a query set in
 * time order are its score history, which analysts annotate ("added synonyms", "reindexed").
 *
 * Revision ids are content addresses (a hash of the canonical config JSON): the same config is
 * the same revision wherever it came from, and a stored file whose config no longer matches its
 * id is detectably corrupt.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RwbError } from '../errors.ts';
import { MetricMeansSchema, RunResultSchema } from './compare-run-result.ts';
import { TuneReportSchema } from './tuner/report.ts';

export const EXPERIMENTS_SCHEMA_VERSION = 1;

/**
 * JSON with object keys sorted at every level: equal configs ⇔ equal text. The same text as
 * `JSON.stringify` with a key-sorting replacer, written out directly: request hashing runs it
 * over every query's body (kNN vectors of hundreds of numbers) at every slider move.
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(value, '') ?? (undefined as unknown as string);
}

const frozenArrayText = new WeakMap<object, string>();

function writeCanonical(input: unknown, key: string): string | undefined {
  let node = input;
  if (
    node !== null &&
    typeof node === 'object' &&
    typeof (node as { toJSON?: unknown }).toJSON === 'function'
  )
    node = (node as { toJSON: (key: string) => unknown }).toJSON(key);
  switch (typeof node) {
    case 'string':
    case 'boolean':
      return JSON.stringify(node);
    case 'number':
      return Number.isFinite(node) ? String(node) : 'null';
    case 'bigint':
      // What JSON.stringify does with it.
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (node === null) return 'null';
  if (node instanceof Number || node instanceof String || node instanceof Boolean)
    return JSON.stringify(node);
  if (Array.isArray(node)) {
    const known = frozenArrayText.get(node);
    if (known !== undefined) return known;
    const items = new Array<string>(node.length);
    let primitive = true;
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (item !== null && (typeof item === 'object' || typeof item === 'function'))
        primitive = false;
      items[i] = writeCanonical(item, String(i)) ?? 'null';
    }
    const text = `[${items.join(',')}]`;
    // A frozen array of primitives cannot change: its text is kept (query vectors, hashed at
    // every slider move).
    if (primitive && Object.isFrozen(node)) frozenArrayText.set(node, text);
    return text;
  }
  const record = node as Record<string, unknown>;
  // The order an object built in sorted key order enumerates: integer-like keys first, ascending
  // as numbers, then the rest sorted (what the replacer produced).
  // (Null prototype: a `__proto__` key is a key like any other.)
  const order = Object.create(null) as Record<string, true>;
  for (const name of Object.keys(record).sort()) order[name] = true;
  const members: string[] = [];
  for (const name of Object.keys(order)) {
    const text = writeCanonical(record[name], name);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/** `rev-` + the first 16 hex digits of SHA-256 over the canonical config JSON. */
export function revisionIdOf(config: unknown): string {
  return `rev-${createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16)}`;
}

export const QuerySetRefSchema = z.object({
  name: z.string().min(1),
  tenant: z.string().optional(),
  index: z.string().optional(),
});
export type QuerySetRef = z.infer<typeof QuerySetRefSchema>;

/** A stable text for a query set reference, for grouping and filtering. */
export function querySetLabel(ref: QuerySetRef | undefined): string {
  if (!ref) return '';
  return [ref.tenant, ref.index, ref.name].filter((p) => p !== undefined).join('/');
}

export const RevisionSchema = z.object({
  schemaVersion: z.literal(EXPERIMENTS_SCHEMA_VERSION),
  id: z.string().regex(/^rev-[0-9a-f]{16}$/),
  parent: z.string().nullable(),
  note: z.string(),
  createdAt: z.string(),
  /** The whole SearchConfig (or any JSON config object) this revision freezes. */
  config: z.record(z.string(), z.unknown()),
});
export type Revision = z.infer<typeof RevisionSchema>;

export const AnnotationSchema = z.object({ at: z.string(), text: z.string().min(1) });
export type Annotation = z.infer<typeof AnnotationSchema>;

export const RUN_KINDS = ['eval', 'tune'] as const;

export const RunRecordSchema = z.object({
  schemaVersion: z.literal(EXPERIMENTS_SCHEMA_VERSION),
  id: z.string().regex(/^run-/),
  kind: z.enum(RUN_KINDS),
  /** The revision that was scored (for a tune: the tuned revision it produced). */
  revisionId: z.string(),
  querySet: QuerySetRefSchema.optional(),
  createdAt: z.string(),
  note: z.string().optional(),
  metrics: z.array(z.string()),
  means: MetricMeansSchema,
  validQueries: z.number().int().min(0),
  totalQueries: z.number().int().min(0),
  byLanguage: z.record(z.string(), MetricMeansSchema),
  annotations: z.array(AnnotationSchema),
  /** The full run, per query, when kept (eval runs). */
  result: RunResultSchema.optional(),
  tune: z
    .object({
      baseRevisionId: z.string(),
      /** Mean held-out gain over the cross-validation folds. */
      validationGain: z.number().nullable(),
      report: TuneReportSchema,
    })
    .optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** ES explanation tree (`_explain` / `explain: true`), as far as a snapshot keeps it. */
export interface Explanation {
  value: number;
  description: string;
  details?: Explanation[];
}
export const ExplanationSchema: z.ZodType<Explanation> = z.lazy(() =>
  z.object({
    value: z.number(),
    description: z.string(),
    details: z.array(ExplanationSchema).optional(),
  }),
);

export const SnapshotDocSchema = z.object({
  id: z.string(),
  /** 1-based rank. */
  position: z.number().int().positive(),
  score: z.number().optional(),
  explain: ExplanationSchema.optional(),
});
export type SnapshotDoc = z.infer<typeof SnapshotDocSchema>;

export const SnapshotQuerySchema = z.object({
  query: z.string(),
  docs: z.array(SnapshotDocSchema),
});
export type SnapshotQuery = z.infer<typeof SnapshotQuerySchema>;

export const SnapshotSchema = z.object({
  schemaVersion: z.literal(EXPERIMENTS_SCHEMA_VERSION),
  id: z.string().regex(/^snap-/),
  revisionId: z.string(),
  runId: z.string().optional(),
  querySet: QuerySetRefSchema.optional(),
  createdAt: z.string(),
  note: z.string().optional(),
  /** How many docs per query were kept. */
  k: z.number().int().positive(),
  queries: z.array(SnapshotQuerySchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** zod parse that throws an RwbError naming `where` and the first problems. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new RwbError('INVALID_INPUT', `${where}: not a valid ${what}: ${issues}`, {
    issues: parsed.error.issues,
  });
}
