/**
 * Query sets kept on this machine, one versioned JSON file each under `<state>/judgments/`,
 * identified by tenant, index and name (a query set belongs to a tenant's index).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RwbError, toRwbError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import { JUDGMENTS_SCHEMA_VERSION, parseQuerySet, type QuerySet } from '../judgments.ts';
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

  /** Saves a set under its tenant/index/name; refuses to replace one unless `overwrite`. */
  async save(set: QuerySet, options: { overwrite?: boolean } = {}): Promise<StoredQuerySetInfo> {
    const valid = parseQuerySet(set, describeRef(set));
    const file = this.fileFor(valid);
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
    if (existing && !options.overwrite) {
      throw new RwbError(
        'INVALID_INPUT',
        `${describeRef(valid)} already exists; save with overwrite to replace it`,
        {
          file,
        },
      );
    }
    await writeJsonAtomic(file, valid);
    return this.info(file, valid);
  }

  /** Deletes a stored set; false when there was none. */
  async remove(ref: QuerySetRef): Promise<boolean> {
    const file = this.fileFor(ref);
    const existed = await stat(file).then(
      () => true,
      () => false,
    );
    await rm(file, { force: true });
    return existed;
  }
}
