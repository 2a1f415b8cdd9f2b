/**
 * Resume support. Products stream in a deterministic order (tenant_id, spu_id); the checkpoint
 * records how many leading products are finished (indexed, or failed for good) and the key of the
 * last one. A re-run of the same source/tenants/index skips that prefix, verifying the key so a
 * changed source restarts from the beginning instead of skipping the wrong products. `_id`s are
 * deterministic, so whatever was in flight when a run died is simply written again: every document
 * ends up in the index exactly once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { removeFileDurably, writeFileAtomic } from '../eval/store/atomic-file.ts';
import { withFileLock } from '../eval/store/file-lock.ts';
import { paths } from '../paths.ts';

export interface Checkpoint {
  key: string;
  /** Number of leading products (in source order) that are finished. */
  finished: number;
  /** `${tenant_id}:${spu_id}` of product number `finished` (1-based), to verify on resume. */
  lastId: string | null;
  /** Incremental runs resume with the same lower bound they started with. */
  since: string | null;
  updatedAt: string;
}

export function checkpointKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

function fileFor(key: string, dir: string): string {
  return path.join(dir, `ingest-${key}.json`);
}

/**
 * Each save replaces the file atomically and durably under the checkpoint's lock, so a run killed
 * mid-save resumes from the previous checkpoint and two runs of the same key (a second terminal)
 * never interleave their writes; saves apply in call order.
 */
export class CheckpointStore {
  constructor(private readonly dir = path.join(paths.state(), 'checkpoints')) {}

  async load(key: string): Promise<Checkpoint | null> {
    try {
      const parsed = JSON.parse(await fs.readFile(fileFor(key, this.dir), 'utf8')) as Checkpoint;
      return parsed.key === key && Number.isInteger(parsed.finished) ? parsed : null;
    } catch {
      return null;
    }
  }

  save(cp: Checkpoint): Promise<void> {
    const file = fileFor(cp.key, this.dir);
    return withFileLock(`${file}.lock`, () => writeFileAtomic(file, JSON.stringify(cp)));
  }

  async clear(key: string): Promise<void> {
    const file = fileFor(key, this.dir);
    await withFileLock(`${file}.lock`, () => removeFileDurably(file));
  }
}

export type ItemOutcome = 'indexed' | 'deleted' | 'failed';

/**
 * Tracks completion of numbered items that finish out of order and answers "how many leading
 * items are done" — the resumable prefix — and the id of the last of them.
 */
export class PrefixTracker {
  /** Finished items beyond the prefix: they will be redone if the run dies now. */
  private readonly doneAhead = new Map<number, { id: string; outcome: ItemOutcome }>();
  private prefix: number;
  private lastPrefixId: string | null;

  constructor(start = 0, startId: string | null = null) {
    this.prefix = start;
    this.lastPrefixId = startId;
  }

  finish(seq: number, id: string, outcome: ItemOutcome): void {
    if (seq <= this.prefix) return;
    this.doneAhead.set(seq, { id, outcome });
    for (let next = this.doneAhead.get(this.prefix + 1); next; next = this.doneAhead.get(this.prefix + 1)) {
      this.prefix += 1;
      this.lastPrefixId = next.id;
      this.doneAhead.delete(this.prefix);
    }
  }

  /** Outcomes of the items finished beyond the prefix (a retry from the checkpoint redoes them). */
  aheadOutcomes(): Record<ItemOutcome, number> {
    const counts: Record<ItemOutcome, number> = { indexed: 0, deleted: 0, failed: 0 };
    for (const { outcome } of this.doneAhead.values()) counts[outcome] += 1;
    return counts;
  }

  get finished(): number {
    return this.prefix;
  }

  get lastId(): string | null {
    return this.lastPrefixId;
  }
}
