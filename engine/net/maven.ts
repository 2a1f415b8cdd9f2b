/**
 * Fetches artifacts from Maven Central (the ES runtime zip, the bge model jars). A copy already in
 * the local Maven repository (~/.m2) is used as is; otherwise the file is downloaded over HTTPS,
 * its SHA-1 checked against the published .sha1, and moved into place atomically.
 * RWB_MAVEN_REPO points at a mirror (e.g. a company Nexus).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { RwbError } from '../errors.ts';

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  /** File extension: jar, zip, pom … */
  type: string;
}

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
}

export function mavenRepoUrl(): string {
  return (process.env.RWB_MAVEN_REPO ?? 'https://repo.maven.apache.org/maven2').replace(/\/+$/, '');
}

export function artifactRelativePath(a: MavenArtifact): string {
  return [...a.groupId.split('.'), a.artifactId, a.version, `${a.artifactId}-${a.version}.${a.type}`].join('/');
}

export function coordinates(a: MavenArtifact): string {
  return `${a.groupId}:${a.artifactId}:${a.version}:${a.type}`;
}

function localMavenCopy(a: MavenArtifact): string {
  const m2 = process.env.RWB_M2_REPO ?? path.join(os.homedir(), '.m2', 'repository');
  return path.join(m2, artifactRelativePath(a));
}

async function sha1OfFile(file: string): Promise<string> {
  const hash = createHash('sha1');
  const handle = await fs.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * Returns a local path of the artifact: the ~/.m2 copy, or `dest` after downloading it there.
 * Throws DOWNLOAD_FAILED with the URL and the reason when the repository cannot be reached.
 */
export async function fetchMavenArtifact(
  artifact: MavenArtifact,
  dest: string,
  opts: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
): Promise<string> {
  const local = localMavenCopy(artifact);
  if (existsSync(local)) return local;
  if (existsSync(dest)) return dest;

  const url = `${mavenRepoUrl()}/${artifactRelativePath(artifact)}`;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const partial = `${dest}.part-${process.pid}`;
  try {
    const expectedSha1 = await fetchText(`${url}.sha1`, opts.signal);
    const res = await fetch(url, { signal: opts.signal });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length')) || null;
    let received = 0;
    const body = Readable.fromWeb(res.body as WebReadableStream);
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      opts.onProgress?.({ receivedBytes: received, totalBytes: total });
    });
    await pipeline(body, createWriteStream(partial));
    const actual = await sha1OfFile(partial);
    const expected = expectedSha1.trim().split(/\s+/)[0]!.toLowerCase();
    if (actual !== expected) throw new Error(`SHA-1 mismatch: expected ${expected}, got ${actual}`);
    await fs.rename(partial, dest);
    return dest;
  } catch (err) {
    await fs.rm(partial, { force: true });
    if (opts.signal?.aborted) throw new RwbError('CANCELLED', `Download of ${coordinates(artifact)} cancelled`);
    // fetch() reports only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND …) is its cause.
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    const reason = err instanceof Error ? `${err.message}${cause}` : String(err);
    throw new RwbError(
      'DOWNLOAD_FAILED',
      `Could not download ${coordinates(artifact)} from ${url}: ${reason}. ` +
        'Check the network, or set RWB_MAVEN_REPO to a reachable Maven mirror.',
      { url },
      { cause: err },
    );
  }
}

async function fetchText(url: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res.text();
}
