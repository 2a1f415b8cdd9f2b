/**
 * The one zip reader of the project: the ES runtime archive (extracted whole, Unix modes kept so
 * bin/elasticsearch stays executable) and the model jars (two entries pulled out of a 16–78 MB jar).
 * It reads the central directory and inflates one entry at a time with node:zlib, so an archive
 * never sits in memory. What Maven-published zips use only: stored/deflated entries, no encryption,
 * no multi-disk; ZIP64 is rejected with a clear error. Errors carry the caller's error code
 * (ES_RUNTIME for the runtime, MODEL_ERROR for models) and name the archive.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { RwbError, type ErrorCode } from '../errors.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  /** Unix permission bits when the archive was made on Unix, else null. */
  unixMode: number | null;
  isDirectory: boolean;
}

export interface ExtractProgress {
  entriesDone: number;
  entriesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ZipErrorOptions {
  /** Error code of the failures (default INVALID_INPUT). */
  errorCode?: ErrorCode;
  /** Appended to every error message, e.g. "Delete it and fetch again." */
  hint?: string;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

function zipError(file: string, reason: string, o: ZipErrorOptions): RwbError {
  const hint = o.hint ? ` ${o.hint}` : '';
  return new RwbError(o.errorCode ?? 'INVALID_INPUT', `Cannot read zip archive ${file}: ${reason}.${hint}`, { file });
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Lists the entries of a zip file from its central directory. */
export async function listZipEntries(file: string, o: ZipErrorOptions = {}): Promise<ZipEntry[]> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    // The end-of-central-directory record is 22 bytes plus a comment of at most 65535 bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(handle, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw zipError(file, 'no end-of-central-directory record (not a zip, or a truncated download)', o);
    const entryCount = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (entryCount === 0xffff || directoryOffset === 0xffffffff) throw zipError(file, 'ZIP64 archives are not supported', o);

    const dir = await readAt(handle, directoryOffset, directorySize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < entryCount; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw zipError(file, `bad central directory entry #${n}`, o);
      const madeByOs = dir.readUInt8(p + 5);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const externalAttributes = dir.readUInt32LE(p + 38);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
      const unixMode = madeByOs === 3 ? (externalAttributes >>> 16) & 0o7777 : null;
      entries.push({
        name,
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        uncompressedSize: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        unixMode: unixMode === 0 ? null : unixMode,
        isDirectory: name.endsWith('/'),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** Resolves an entry name under `dest`, refusing absolute paths and `..` (zip-slip). */
export function safeEntryPath(dest: string, name: string, stripComponents: number, o: ZipErrorOptions = {}): string | null {
  const parts = name.split('/').filter((s) => s.length > 0);
  if (parts.some((s) => s === '..') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    throw new RwbError(o.errorCode ?? 'INVALID_INPUT', `Refusing unsafe path in archive: ${name}`);
  }
  const kept = parts.slice(stripComponents);
  if (kept.length === 0) return null;
  return path.join(dest, ...kept);
}

function fileModeFor(entry: ZipEntry, target: string): number {
  const underBin = target.split(path.sep).includes('bin');
  const recorded = entry.unixMode ?? (underBin ? 0o755 : 0o644);
  // Keep exec bits; make sure group/others can read (and run, if executable by the owner).
  return (recorded & 0o777) | 0o444 | (recorded & 0o100 ? 0o111 : 0);
}

/**
 * Streams one entry into `target` (a temporary name renamed into place, so an interruption never
 * leaves a half file under the final name), checking size and CRC-32, with the archive's mode.
 */
async function writeEntry(file: string, handle: fs.FileHandle, entry: ZipEntry, target: string, o: ZipErrorOptions): Promise<void> {
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
    throw zipError(file, `entry ${entry.name} uses unsupported compression method ${entry.method}`, o);
  }
  const local = await readAt(handle, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw zipError(file, `bad local header for ${entry.name}`, o);
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  const mode = fileModeFor(entry, target);
  const partial = `${target}.part-${process.pid}`;
  let crc = 0;
  let written = 0;
  const count = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      crc = zlib.crc32(chunk, crc);
      written += chunk.length;
      yield chunk;
    }
  };
  try {
    const sink = createWriteStream(partial, { mode });
    if (entry.compressedSize === 0) {
      sink.end();
      await new Promise<void>((resolve, reject) => sink.on('close', resolve).on('error', reject));
    } else {
      const source = createReadStream(file, { start: dataStart, end: dataStart + entry.compressedSize - 1, highWaterMark: 1 << 20 });
      if (entry.method === METHOD_DEFLATED) await pipeline(source, zlib.createInflateRaw(), count, sink);
      else await pipeline(source, count, sink);
    }
    if (written !== entry.uncompressedSize || crc >>> 0 !== entry.crc32 >>> 0) {
      throw zipError(file, `entry ${entry.name} is corrupt (size ${written}/${entry.uncompressedSize}, CRC mismatch or truncation)`, o);
    }
    // createWriteStream's mode is filtered by the umask; set it exactly.
    await fs.chmod(partial, mode);
    await fs.rename(partial, target);
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
}

/**
 * Extracts `file` into `dest` (created), dropping the first `stripComponents` path parts.
 * Files get the mode recorded in the archive (readable by everyone at least, so an unprivileged
 * ES user can run the runtime), falling back to 0755 for anything under a bin/ directory.
 */
export async function extractZip(
  file: string,
  dest: string,
  opts: ZipErrorOptions & { stripComponents?: number; onProgress?: (p: ExtractProgress) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const entries = await listZipEntries(file, opts);
  const strip = opts.stripComponents ?? 0;
  const bytesTotal = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  let bytesDone = 0;
  await fs.mkdir(dest, { recursive: true, mode: 0o755 });
  const handle = await fs.open(file, 'r');
  try {
    for (let i = 0; i < entries.length; i++) {
      if (opts.signal?.aborted) throw new RwbError('CANCELLED', `Extraction of ${file} cancelled`);
      const entry = entries[i]!;
      const target = safeEntryPath(dest, entry.name, strip, opts);
      if (target !== null) {
        if (entry.isDirectory) await fs.mkdir(target, { recursive: true, mode: 0o755 });
        else await writeEntry(file, handle, entry, target, opts);
      }
      bytesDone += entry.uncompressedSize;
      opts.onProgress?.({ entriesDone: i + 1, entriesTotal: entries.length, bytesDone, bytesTotal });
    }
  } finally {
    await handle.close();
  }
}

/** Extracts the single entry `entryName` of `file` into `dest`. */
export async function extractZipEntry(file: string, entryName: string, dest: string, o: ZipErrorOptions = {}): Promise<void> {
  const entries = await listZipEntries(file, o);
  const entry = entries.find((e) => e.name === entryName);
  if (!entry) {
    const roots = entries.filter((e) => !e.name.includes('/')).map((e) => e.name);
    throw new RwbError(o.errorCode ?? 'INVALID_INPUT', `${file} has no entry "${entryName}" (files at its root: ${roots.join(', ')})`);
  }
  const handle = await fs.open(file, 'r');
  try {
    await writeEntry(file, handle, entry, dest, o);
  } finally {
    await handle.close();
  }
}
