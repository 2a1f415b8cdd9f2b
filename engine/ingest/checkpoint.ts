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

export class CheckpointStore {
  /** Saves are chained so two writes never race on the same temp file. */
  private chain: Promise<void> = Promise.resolve();

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
    const write = async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const file = fileFor(cp.key, this.dir);
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(cp));
      await fs.rename(tmp, file);
    };
    this.chain = this.chain.then(write, write);
    return this.chain;
  }

  async clear(key: string): Promise<void> {
    await this.chain.catch(() => undefined);
    await fs.rm(fileFor(key, this.dir), { force: true });
  }
}

/**
 * Tracks completion of numbered items that finish out of order and answers "how many leading
 * items are done" — the resumable prefix.
 */
export class PrefixTracker {
  private readonly doneAhead = new Set<number>();
  private prefix: number;
  private readonly ids = new Map<number, string>();
  private lastPrefixId: string | null;

  constructor(start = 0, startId: string | null = null) {
    this.prefix = start;
    this.lastPrefixId = startId;
  }

  /** Registers item `seq` (1-based, strictly increasing) with its id before it is sent. */
  register(seq: number, id: string): void {
    this.ids.set(seq, id);
  }

  finish(seq: number): void {
    if (seq <= this.prefix) return;
    this.doneAhead.add(seq);
    while (this.doneAhead.has(this.prefix + 1)) {
      this.prefix += 1;
      this.doneAhead.delete(this.prefix);
      this.lastPrefixId = this.ids.get(this.prefix) ?? this.lastPrefixId;
      this.ids.delete(this.prefix);
    }
  }

  get finished(): number {
    return this.prefix;
  }

  get lastId(): string | null {
    return this.lastPrefixId;
  }
}
