/**
 * Summaries of one kind of experiment record (revisions, runs, snapshots) kept in
 * `<experiments>/index/<kind>.json`, so a listing reads one file, the directory and a stat per
 * record — not every record (a snapshot holds the top k of every query; a run its per-query
 * results).
 *
 * Each entry carries the stat key (inode, size, mtime) of the record file it summarises. Records
 * are only ever replaced by atomic rename, which gives every new version a new inode, so an entry
 * that no longer matches its file is simply re-read. The index is thus a cache any process may
 * rebuild at any time: a store written before the index existed gets one on its first listing,
 * a writer killed between a record and the index costs nothing, and two processes writing the
 * index at once (each atomically) leave one valid cache.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { toRwbError } from '../../errors.ts';
import type { StoreProblem } from '../experiments-records.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { readVersionedJson, type VersionedFormat } from './versioned-json.ts';

const INDEX_SCHEMA_VERSION = 1;
/** Stats in flight at once while validating entries. */
const STAT_BATCH = 64;

interface Entry<S> {
  readonly key: string;
  readonly summary: S;
}

export class SummaryIndex<R, S> {
  constructor(
    private readonly recordsDir: string,
    private readonly indexFile: string,
    private readonly format: VersionedFormat<R>,
    private readonly summarize: (record: R) => S,
  ) {}

  /** Record ids (file names without `.json`), sorted; none when the folder does not exist. */
  async ids(): Promise<string[]> {
    try {
      const names = await readdir(this.recordsDir);
      return names
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -'.json'.length))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toRwbError(err);
    }
  }

  private async load(): Promise<Map<string, Entry<S>>> {
    try {
      const doc = JSON.parse(await readFile(this.indexFile, 'utf8')) as {
        schemaVersion?: unknown;
        entries?: Record<string, Entry<S>>;
      };
      if (doc.schemaVersion !== INDEX_SCHEMA_VERSION || typeof doc.entries !== 'object') {
        return new Map();
      }
      return new Map(Object.entries(doc.entries ?? {}));
    } catch {
      // Missing (old layout, first start) or damaged: rebuilt from the records below.
      return new Map();
    }
  }

  /** The summary of every readable record, in id order; unreadable records go to `problems`. */
  async list(problems: StoreProblem[]): Promise<S[]> {
    const ids = await this.ids();
    const cached = await this.load();
    const keys: Array<string | null> = [];
    for (let i = 0; i < ids.length; i += STAT_BATCH) {
      const batch = ids.slice(i, i + STAT_BATCH).map((id) =>
        stat(path.join(this.recordsDir, `${id}.json`)).then(
          (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
          () => null,
        ),
      );
      keys.push(...(await Promise.all(batch)));
    }
    const fresh = new Map<string, Entry<S>>();
    const out: S[] = [];
    let changed = false;
    for (const [i, id] of ids.entries()) {
      const key = keys[i];
      if (key === null || key === undefined) continue; // removed since the directory was read
      const hit = cached.get(id);
      if (hit && hit.key === key) {
        fresh.set(id, hit);
        out.push(hit.summary);
        continue;
      }
      const file = path.join(this.recordsDir, `${id}.json`);
      try {
        const summary = this.summarize((await readVersionedJson(file, this.format)).value);
        fresh.set(id, { key, summary });
        out.push(summary);
        changed = true;
      } catch (err) {
        problems.push({ file, message: toRwbError(err).message });
      }
    }
    if (changed || [...cached.keys()].some((id) => !fresh.has(id))) await this.save(fresh);
    return out;
  }

  private async save(entries: Map<string, Entry<S>>): Promise<void> {
    const doc = { schemaVersion: INDEX_SCHEMA_VERSION, entries: Object.fromEntries(entries) };
    // A cache: failing to write it (read-only store, full disk) must not fail the listing.
    await writeFileAtomic(this.indexFile, JSON.stringify(doc)).catch(() => undefined);
  }
}
