/**
 * Versioned JSON documents on disk: every persisted shape carries `schemaVersion`; reading runs
 * the migrations from the stored version up to the current one, then validates. Writes are atomic
 * and durable (atomic-file.ts) so a crash never leaves half a file; callers that read, change and
 * write back hold the file's lock (file-lock.ts) around the whole cycle.
 */
import { readFile } from 'node:fs/promises';
import { RwbError } from '../../errors.ts';
import { writeFileAtomic } from './atomic-file.ts';

export type JsonObject = Record<string, unknown>;

export interface VersionedFormat<T> {
  /** What the documents are, for messages ("query set"). */
  readonly kind: string;
  readonly currentVersion: number;
  /** migrations[n] turns a version-n document into a version-(n + 1) one. */
  readonly migrations: Readonly<Record<number, (doc: JsonObject) => JsonObject>>;
  /** Validates a current-version document; throws RwbError naming `where`. */
  readonly parse: (doc: unknown, where: string) => T;
}

export interface Upgraded<T> {
  readonly value: T;
  /** The version the document was stored in, when it had to be migrated. */
  readonly migratedFrom: number | null;
}

/** Brings a parsed document up to the current version and validates it. */
export function upgradeDocument<T>(
  raw: unknown,
  format: VersionedFormat<T>,
  where: string,
): Upgraded<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RwbError('INVALID_INPUT', `${where}: a ${format.kind} must be a JSON object`);
  }
  let doc = raw as JsonObject;
  const stored = doc.schemaVersion;
  if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 0) {
    throw new RwbError('INVALID_INPUT', `${where}: ${format.kind} has no valid schemaVersion`);
  }
  if (stored > format.currentVersion) {
    throw new RwbError(
      'INVALID_INPUT',
      `${where}: ${format.kind} schemaVersion ${stored} is newer than this workbench understands (${format.currentVersion}); upgrade the workbench`,
    );
  }
  for (let version = stored; version < format.currentVersion; version++) {
    const migrate = format.migrations[version];
    if (!migrate) {
      throw new RwbError(
        'INTERNAL',
        `${where}: no migration for ${format.kind} from schemaVersion ${version}`,
      );
    }
    doc = { ...migrate(doc), schemaVersion: version + 1 };
  }
  return {
    value: format.parse(doc, where),
    migratedFrom: stored === format.currentVersion ? null : stored,
  };
}

/** Reads, migrates and validates one document; a missing file is NOT_FOUND, bad JSON PARSE_ERROR. */
export async function readVersionedJson<T>(
  file: string,
  format: VersionedFormat<T>,
): Promise<Upgraded<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RwbError('NOT_FOUND', `${format.kind} file ${file} does not exist`, { file });
    }
    throw new RwbError(
      'INVALID_INPUT',
      `cannot read ${file}: ${(err as Error).message}`,
      { file },
      { cause: err },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RwbError(
      'PARSE_ERROR',
      `${file} is not valid JSON: ${(err as Error).message}`,
      { file },
      { cause: err },
    );
  }
  return upgradeDocument(raw, format, file);
}

/** Writes JSON atomically and durably (temp file + fsync + rename + fsync of the directory). */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
