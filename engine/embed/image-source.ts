/**
 * Gets product images into the tensor a CLIP-style vision tower expects: read from a local path or
 * fetch over http(s) with a timeout and a size cap, decode with sharp, resize the short side and
 * centre-crop to a square, then normalise per channel into CHW float32.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { RwbError } from '../errors.ts';

/** OpenAI CLIP's normalisation constants (Chinese-CLIP uses the same). */
export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface LoadImageOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export function isRemote(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The raw bytes of an image; throws RwbError naming the source and what went wrong. */
export async function loadImageBytes(source: string, opts: LoadImageOptions): Promise<Buffer> {
  if (isRemote(source)) return fetchImage(source, opts);
  const file = source.startsWith('file:') ? fileURLToPath(source) : source;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new Error('not a file');
    if (stat.size > opts.maxBytes)
      throw new Error(`${stat.size} bytes exceeds the ${opts.maxBytes}-byte limit`);
    return await fs.readFile(file);
  } catch (err) {
    throw new RwbError(
      'NOT_FOUND',
      `Image ${source} could not be read: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
}

async function fetchImage(url: string, opts: LoadImageOptions): Promise<Buffer> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const signal = AbortSignal.any(signals);
  try {
    const res = await fetch(url, { signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const declared = Number(res.headers.get('content-length'));
    if (declared > opts.maxBytes)
      throw new Error(`${declared} bytes exceeds the ${opts.maxBytes}-byte limit`);
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (received > opts.maxBytes) throw new Error(`more than the ${opts.maxBytes}-byte limit`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  } catch (err) {
    const reason = opts.signal?.aborted
      ? 'cancelled'
      : signal.aborted
        ? `timed out after ${opts.timeoutMs} ms`
        : describeFetchError(err);
    throw new RwbError(
      opts.signal?.aborted ? 'CANCELLED' : 'DOWNLOAD_FAILED',
      `Image ${url} could not be fetched: ${reason}`,
    );
  }
}

/** undici reports "fetch failed" and puts the useful part (ECONNREFUSED, bad port …) in `cause`. */
function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const detail = e.cause?.code ?? e.cause?.message;
  return detail ? `${e.message} (${detail})` : e.message;
}

export interface PreprocessOptions {
  size: number;
  mean: readonly number[];
  std: readonly number[];
}

/**
 * Decodes and turns an image into a [3, size, size] CHW float32 tensor: short side resized to
 * `size` (bicubic), centre crop, RGB (alpha flattened on white), (x/255 - mean) / std.
 */
export async function imageToTensor(bytes: Buffer, opts: PreprocessOptions): Promise<Float32Array> {
  let pixels: Buffer;
  try {
    pixels = await sharp(bytes, { failOn: 'error' })
      .rotate() // honour EXIF orientation, as photos from phones need
      .flatten({ background: '#ffffff' })
      .resize(opts.size, opts.size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer();
  } catch (err) {
    throw new RwbError(
      'PARSE_ERROR',
      `not a decodable image: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  const plane = opts.size * opts.size;
  if (pixels.length !== plane * 3) {
    throw new RwbError(
      'PARSE_ERROR',
      `decoded to ${pixels.length} bytes, expected ${plane * 3} (RGB ${opts.size}²)`,
    );
  }
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      out[c * plane + p] = (pixels[p * 3 + c]! / 255 - opts.mean[c]!) / opts.std[c]!;
    }
  }
  return out;
}
