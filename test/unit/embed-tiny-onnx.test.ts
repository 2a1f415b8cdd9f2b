import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { tinyTextModel, tinyVisionModel, weights } from '../helpers/tiny-onnx.ts';

// The hand-written protobuf must be a model onnxruntime accepts, with the declared shapes.
describe('tiny ONNX writer', () => {
  it('writes a vision tower onnxruntime loads and runs', async () => {
    const session = await ort.InferenceSession.create(tinyVisionModel({ dims: 6, size: 8 }));
    expect(session.inputMetadata[0]).toMatchObject({
      name: 'pixel_values',
      type: 'float32',
      shape: ['batch', 3, 8, 8],
    });
    const pixels = new Float32Array(2 * 3 * 64);
    pixels.fill(1, 0, 192); // image 0 all ones, image 1 all zeros
    const out = await session.run({
      pixel_values: new ort.Tensor('float32', pixels, [2, 3, 8, 8]),
    });
    expect(out.image_embeds!.dims).toEqual([2, 6]);
    // Image 1 is all zeros: its embedding is the bias alone; image 0 adds the column sums.
    const data = out.image_embeds!.data as Float32Array;
    const projection = weights(18, 7);
    const bias = weights(6, 11);
    for (let d = 0; d < 6; d++) {
      expect(data[6 + d]).toBeCloseTo(bias[d]!, 6);
      expect(data[d]).toBeCloseTo(
        bias[d]! + projection[d]! + projection[6 + d]! + projection[12 + d]!,
        5,
      );
    }
    await session.release();
  });

  it('writes a text tower with a fixed context length', async () => {
    const session = await ort.InferenceSession.create(
      tinyTextModel({ dims: 4, vocabSize: 10, contextLength: 5 }),
    );
    expect(session.inputMetadata[0]).toMatchObject({
      name: 'input_ids',
      type: 'int64',
      shape: ['batch', 5],
    });
    const ids = BigInt64Array.from([2n, 4n, 3n, 0n, 0n]);
    const out = await session.run({ input_ids: new ort.Tensor('int64', ids, [1, 5]) });
    const table = weights(40, 3);
    const data = out.text_embeds!.data as Float32Array;
    for (let d = 0; d < 4; d++) {
      const mean = (table[2 * 4 + d]! + table[4 * 4 + d]! + table[3 * 4 + d]! + 2 * table[d]!) / 5;
      expect(data[d]).toBeCloseTo(mean, 6);
    }
    await session.release();
  });
});
