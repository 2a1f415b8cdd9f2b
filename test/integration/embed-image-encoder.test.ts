/**
 * The CLIP-style image encoder with tiny generated two-tower models (no real CLIP model can be
 * downloaded on the project machines): local files and http(s) URLs, with failures per image.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ImageEncoder,
  createImageEncoder,
  dot,
  vectorNorm,
} from '../../engine/embed/index.ts';
import { type TinyClipFiles, tinyVisionModel, writeTinyClip } from '../helpers/tiny-onnx.ts';

let dir: string;
let clip: TinyClipFiles;
let server: http.Server;
let base: string;
let encoder: ImageEncoder;
const images: Record<string, string> = {};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-image-'));
  clip = await writeTinyClip(path.join(dir, 'clip'));
  const solid = (width: number, height: number, background: string) =>
    sharp({ create: { width, height, channels: 3, background } });
  images.red = path.join(dir, 'red.png');
  images.blue = path.join(dir, 'blue.jpg');
  images.broken = path.join(dir, 'broken.jpg');
  await solid(300, 200, '#ff0000').png().toFile(images.red);
  await solid(120, 260, '#0000ff').jpeg().toFile(images.blue);
  await fs.writeFile(images.broken, 'this is not a JPEG');
  const redPng = await fs.readFile(images.red);

  server = http.createServer((req, res) => {
    if (req.url === '/red.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(redPng);
    } else if (req.url === '/garbage.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>not an image</html>');
    } else if (req.url === '/slow.jpg') {
      setTimeout(() => res.writeHead(200).end(redPng), 3000).unref();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  encoder = await createImageEncoder({
    visionModelPath: clip.visionModelPath,
    textModelPath: clip.textModelPath,
    log: () => {},
  });
});

afterAll(async () => {
  await encoder?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fs.rm(dir, { recursive: true, force: true });
});

describe('image encoder (tiny CLIP)', () => {
  it('reports the model dims and the input size', () => {
    expect(encoder.dims).toBe(clip.dims);
    expect(encoder.imageSize).toBe(224); // the tiny model has a dynamic size: the CLIP default
    expect(encoder.executionProvider).toBe('cpu');
  });

  it('encodes local files and URLs, recording each failure without stopping the rest', async () => {
    const sources = [
      images.red!,
      `${base}/red.png`,
      images.broken!,
      path.join(dir, 'missing.png'),
      `${base}/missing.png`,
      `${base}/garbage.jpg`,
      `${base}/slow.jpg`,
      images.blue!,
    ];
    const results = await encoder.encodeImages(sources, { timeoutMs: 500 });
    expect(results.map((r) => r.url)).toEqual(sources);
    const [red, redUrl, broken, missing, notFound, garbage, slow, blue] = results;
    for (const ok of [red, redUrl, blue]) {
      expect(ok).toHaveProperty('vector');
      const v = (ok as { vector: Float32Array }).vector;
      expect(v).toHaveLength(clip.dims);
      expect(vectorNorm(v)).toBeCloseTo(1, 5);
    }
    expect(broken).toMatchObject({ error: expect.stringMatching(/not a decodable image/) });
    expect(missing).toMatchObject({ error: expect.stringMatching(/could not be read: ENOENT/) });
    expect(notFound).toMatchObject({ error: expect.stringMatching(/HTTP 404/) });
    expect(garbage).toMatchObject({ error: expect.stringMatching(/not a decodable image/) });
    expect(slow).toMatchObject({ error: expect.stringMatching(/timed out after 500 ms/) });
    // Same picture from disk and over HTTP: same vector; a different colour: a different one.
    const vec = (r: unknown) => (r as { vector: Float32Array }).vector;
    expect(dot(vec(red), vec(redUrl))).toBeCloseTo(1, 6);
    expect(dot(vec(red), vec(blue))).toBeLessThan(0.99);
  });

  it('is deterministic and independent of what else is in the batch', async () => {
    const [alone] = await encoder.encodeImages([images.red!]);
    const [, withOthers] = await encoder.encodeImages([images.blue!, images.red!, images.blue!]);
    expect(Array.from((withOthers as { vector: Float32Array }).vector)).toEqual(
      Array.from((alone as { vector: Float32Array }).vector),
    );
  });

  it('encodes texts with the text tower into the same space', async () => {
    const vectors = await encoder.encodeTexts([
      'red shoe',
      'Blue dress',
      'unknown words here and more words',
    ]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(clip.dims);
      expect(vectorNorm(v)).toBeCloseTo(1, 5);
    }
    const [again] = await encoder.encodeTexts(['RED SHOE']); // the tiny tokenizer lowercases
    expect(dot(again!, vectors[0]!)).toBeCloseTo(1, 6);
    expect(dot(vectors[0]!, vectors[1]!)).toBeLessThan(0.999);
  });
});

describe('image encoder configuration errors', () => {
  it('without a text model, encodeTexts says what to configure', async () => {
    const visionOnly = await createImageEncoder({
      visionModelPath: clip.visionModelPath,
      log: () => {},
    });
    try {
      await expect(visionOnly.encodeTexts(['x'])).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    } finally {
      await visionOnly.close();
    }
  });

  it('uses a fixed model input size and refuses a conflicting imageSize', async () => {
    const fixed = path.join(dir, 'vision-64.onnx');
    await fs.writeFile(fixed, tinyVisionModel({ dims: 8, size: 64 }));
    const enc = await createImageEncoder({ visionModelPath: fixed, log: () => {} });
    expect(enc.imageSize).toBe(64);
    expect(enc.dims).toBe(8);
    await enc.close();
    await expect(
      createImageEncoder({ visionModelPath: fixed, imageSize: 224, log: () => {} }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });

  it('names the file when a model does not look like a vision tower', async () => {
    await expect(
      createImageEncoder({ visionModelPath: clip.textModelPath, log: () => {} }),
    ).rejects.toThrow(
      /text\.onnx: expected a float32 \[batch, 3, H, W\] image input, found input_ids int64/,
    );
  });

  it('names the file when the model cannot be loaded', async () => {
    await expect(
      createImageEncoder({ visionModelPath: path.join(dir, 'nope.onnx'), log: () => {} }),
    ).rejects.toMatchObject({ code: 'MODEL_ERROR', message: expect.stringContaining('nope.onnx') });
  });
});
