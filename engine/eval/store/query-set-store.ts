/**
 * Query sets kept on this machine, one versioned JSON file each under `<state>/judgments/`,
 * identified by tenant, index and name (a query set belongs to a tenant's index).
 *
 * Every change is a transaction on that file: the file's lock (file-lock.ts, `<file>.lock`) is
 * held from the read to the atomic write, so concurrent ratings, imports and saves — from this
 * process or another — each see the previous one's result and none is lost.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RwbError, toRwbError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import { JUDGMENTS_SCHEMA_VERSION, parseQuerySet, type QuerySet } from '../judgments.ts';
import { removeFileDurably, sweepTempFiles } from './atomic-file.ts';
import { withFileLock } from './file-lock.ts';
import { readVersionedJson, writeJsonAtomic, type VersionedFormat } from './versioned-json.ts';

export const querySetFormat: VersionedFormat<QuerySet> = {
  kind: 'query set',
  currentVersion: JUDGMENTS_SCHEMA_VERSION,
  // Version 1 is the first persisted shape; add `1: (doc) => …` here when version 2 arrives.
  migrations: {},
  parse: parseQuerySet,
};

export interface QuerySetRef {
  readonly name: string;
  readonly tenant?: string;
  readonly index?: string;
}

export interface StoredQuerySetInfo extends QuerySetRef {
  /** File-safe id derived from tenant, index and name. */
  readonly id: string;
  readonly file: string;
  readonly queries: number;
  readonly ratings: number;
  readonly updatedAt: string;
}

function slug(part: string): string {
  const cleaned = part
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return cleaned === '' ? '_' : cleaned;
}

/** `tenant~index~name`, each part made file-safe; `_` stands for "none". */
export function querySetId(ref: QuerySetRef): string {
  return [ref.tenant ?? '_', ref.index ?? '_', ref.name].map(slug).join('~');
}

/** Whether `id` has the shape `querySetId` produces (so it can name a file, never a path). */
export function isQuerySetId(id: string): boolean {
  return /^[\w.-]+~[\w.-]+~[\w.-]+$/.test(id);
}

const lockOf = (file: string): string => `${file}.lock`;

/**
 * `base` with every rating of `incoming` applied (added, or replacing the same query's rating of
 * the same doc); queries only in `base` stay as they are.
 */
export function mergeQuerySets(base: QuerySet, incoming: QuerySet): QuerySet {
  const sameScale = base.scale.min === incoming.scale.min && base.scale.max === incoming.scale.max;
  if (!sameScale) {
    throw new RwbError(
      'INVALID_INPUT',
      `cannot merge into ${describeRef(base)}: its scale is ${base.scale.min}–${base.scale.max}, the imported one ${incoming.scale.min}–${incoming.scale.max}`,
    );
  }
  const queries = base.queries.map((q) => ({ ...q, ratings: [...q.ratings] }));
  const byText = new Map(queries.map((q) => [q.text, q]));
  for (const query of incoming.queries) {
    const target = byText.get(query.text);
    if (!target) {
      const added = { ...query, ratings: [...query.ratings] };
      queries.push(added);
      byText.set(added.text, added);
      continue;
    }
    const at = new Map(target.ratings.map((r, i) => [r.docId, i]));
    for (const rating of query.ratings) {
      const i = at.get(rating.docId);
      if (i === undefined) {
        at.set(rating.docId, target.ratings.length);
        target.ratings.push(rating);
      } else target.ratings[i] = rating;
    }
  }
  return parseQuerySet({ ...base, queries }, describeRef(base));
}

function sameRef(a: QuerySetRef, b: QuerySetRef): boolean {
  return a.name === b.name && a.tenant === b.tenant && a.index === b.index;
}

function describeRef(ref: QuerySetRef): string {
  const scope = [ref.tenant && `tenant ${ref.tenant}`, ref.index && `index ${ref.index}`]
    .filter(Boolean)
    .join(', ');
  return `query set "${ref.name}"${scope ? ` (${scope})` : ''}`;
}

export class QuerySetStore {
  private swept = false;

  constructor(readonly dir: string = path.join(paths.state(), 'judgments')) {}

  fileFor(ref: QuerySetRef): string {
    return path.join(this.dir, `${querySetId(ref)}.json`);
  }

  private async info(file: string, set: QuerySet): Promise<StoredQuerySetInfo> {
    const { mtime } = await stat(file);
    return {
      id: path.basename(file, '.json'),
      file,
      name: set.name,
      ...(set.tenant !== undefined && { tenant: set.tenant }),
      ...(set.index !== undefined && { index: set.index }),
      queries: set.queries.length,
      ratings: set.queries.reduce((n, q) => n + q.ratings.length, 0),
      updatedAt: mtime.toISOString(),
    };
  }

  /** Every stored set; an unreadable file is listed under `problems` instead of failing the list. */
  async list(): Promise<{
    sets: StoredQuerySetInfo[];
    problems: Array<{ file: string; message: string }>;
  }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sets: [], problems: [] };
      throw toRwbError(err);
    }
    if (!this.swept) {
      this.swept = true;
      await sweepTempFiles(this.dir);
    }
    const sets: StoredQuerySetInfo[] = [];
    const problems: Array<{ file: string; message: string }> = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(this.dir, name);
      try {
        const { value } = await readVersionedJson(file, querySetFormat);
        sets.push(await this.info(file, value));
      } catch (err) {
        problems.push({ file, message: toRwbError(err).message });
      }
    }
    return { sets, problems };
  }

  /** Loads a set (migrating old versions in memory); NOT_FOUND when there is none. */
  async load(ref: QuerySetRef): Promise<QuerySet> {
    const file = this.fileFor(ref);
    try {
      const { value } = await readVersionedJson(file, querySetFormat);
      if (!sameRef(value, ref)) {
        throw new RwbError(
          'INVALID_INPUT',
          `${file} holds ${describeRef(value)}, not ${describeRef(ref)}`,
        );
      }
      return value;
    } catch (err) {
      if (err instanceof RwbError && err.code === 'NOT_FOUND') {
        throw new RwbError('NOT_FOUND', `no stored ${describeRef(ref)} (looked for ${file})`, {
          file,
        });
      }
      throw err;
    }
  }

  /**
   * Changes the set stored under `id` in one transaction: read under the file's lock, `change`,
   * write back atomically. Calls for the same set apply in call order. NOT_FOUND when there is none.
   */
  updateById(
    id: string,
    change: (set: QuerySet) => QuerySet,
  ): Promise<{ querySet: QuerySet; info: StoredQuerySetInfo }> {
    if (!isQuerySetId(id)) {
      return Promise.reject(
        new RwbError('INVALID_INPUT', `"${id}" is not a query set id (tenant~index~name)`),
      );
    }
    const file = path.join(this.dir, `${id}.json`);
    return withFileLock(lockOf(file), async () => {
      const { value } = await readVersionedJson(file, querySetFormat);
      const next = change(value);
      if (next !== value) {
        const valid = parseQuerySet(next, describeRef(next));
        if (!sameRef(valid, value)) {
          throw new RwbError('INVALID_INPUT', `a change cannot move ${describeRef(value)}`);
        }
        await writeJsonAtomic(file, valid);
        return { querySet: valid, info: await this.info(file, valid) };
      }
      return { querySet: value, info: await this.info(file, value) };
    });
  }

  /**
   * Saves a set under its tenant/index/name; refuses to replace one unless `overwrite`, or with
   * `merge` applies its ratings to the stored set (imported ratings win for the same doc).
   */
  save(
    set: QuerySet,
    options: { overwrite?: boolean; merge?: boolean } = {},
  ): Promise<StoredQuerySetInfo> {
    const valid = parseQuerySet(set, describeRef(set));
    const file = this.fileFor(valid);
    return withFileLock(lockOf(file), async () => {
      const existing = await readVersionedJson(file, querySetFormat).then(
        ({ value }) => value,
        (err: unknown) => {
          if (err instanceof RwbError && err.code === 'NOT_FOUND') return null;
          throw err;
        },
      );
      if (existing && !sameRef(existing, valid)) {
        throw new RwbError(
          'INVALID_INPUT',
          `${describeRef(valid)} would share file ${file} with ${describeRef(existing)}; choose another name`,
          { file },
        );
      }
      if (existing && !options.overwrite && !options.merge) {
        throw new RwbError(
          'INVALID_INPUT',
          `${describeRef(valid)} already exists; save with overwrite to replace it (or merge to add to it)`,
          { file },
        );
      }
      const next = existing && options.merge ? mergeQuerySets(existing, valid) : valid;
      await writeJsonAtomic(file, next);
      return this.info(file, next);
    });
  }

  /** Deletes a stored set; false when there was none. */
  remove(ref: QuerySetRef): Promise<boolean> {
    const file = this.fileFor(ref);
    return withFileLock(lockOf(file), () => removeFileDurably(file));
  }
}
