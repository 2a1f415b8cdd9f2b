/**
 * Writes tiny ONNX models for tests. There is no Python `onnx` package on the project machines, so
 * this encodes the few ONNX protobuf messages we need by hand (field numbers from onnx.proto3):
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.
 * The models have the input/output shapes of real CLIP towers but compute trivial functions.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

/** Minimal protobuf message builder (varints and length-delimited fields are all ONNX needs here). */
class Proto {
  private readonly parts: Buffer[] = [];

  private key(field: number, wire: number): void {
    this.raw(varint(BigInt((field << 3) | wire)));
  }

  private raw(b: Buffer): void {
    this.parts.push(b);
  }

  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.raw(varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  bytes(field: number, value: Buffer): this {
    this.key(field, WIRE_BYTES);
    this.raw(varint(BigInt(value.length)));
    this.raw(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Proto): this {
    return this.bytes(field, value.build());
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function varint(value: bigint): Buffer {
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

export const DataType = { FLOAT: 1, INT64: 7 } as const;
type Dim = number | string;

export function tensorInfo(name: string, elemType: number, dims: Dim[]): Proto {
  const shape = new Proto();
  for (const d of dims)
    shape.message(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().string(2, d));
  const tensorType = new Proto().int(1, elemType).message(2, shape);
  return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
}

export function floatInitializer(name: string, dims: number[], values: ArrayLike<number>): Proto {
  const data = Buffer.from(Float32Array.from(values).buffer);
  const t = new Proto();
  for (const d of dims) t.int(1, d);
  return t.int(2, DataType.FLOAT).string(8, name).bytes(9, data);
}

export type Attribute = { name: string; int: number } | { name: string; ints: number[] };

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Attribute[] = [],
): Proto {
  const n = new Proto();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${opType}_${outputs[0]}`).string(4, opType);
  for (const a of attributes) {
    const attr = new Proto().string(1, a.name);
    if ('int' in a) attr.int(3, a.int).int(20, 2);
    else {
      for (const v of a.ints) attr.int(8, v);
      attr.int(20, 7);
    }
    n.message(5, attr);
  }
  return n;
}

export function model(spec: {
  nodes: Proto[];
  initializers: Proto[];
  inputs: Proto[];
  outputs: Proto[];
  opset?: number;
}): Buffer {
  const graph = new Proto();
  for (const n of spec.nodes) graph.message(1, n);
  graph.string(2, 'tiny');
  for (const i of spec.initializers) graph.message(5, i);
  for (const i of spec.inputs) graph.message(11, i);
  for (const o of spec.outputs) graph.message(12, o);
  return new Proto()
    .int(1, 8) // IR version 8 (ONNX 1.13+), fine for opset 13
    .string(2, 'rwb-tests')
    .message(7, graph)
    .message(8, new Proto().string(1, '').int(2, spec.opset ?? 13))
    .build();
}

/** Deterministic pseudo-random weights so the tiny models give distinct, repeatable vectors. */
export function weights(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/**
 * Vision tower: pixel_values [batch, 3, size, size] → GlobalAveragePool → Flatten → MatMul → Add →
 * image_embeds [batch, dims]. The vector depends on the mean colour of the image.
 */
export function tinyVisionModel(opts: { dims: number; size?: number }): Buffer {
  const size: Dim = opts.size ?? 'height';
  return model({
    nodes: [
      node('GlobalAveragePool', ['pixel_values'], ['pooled']),
      node('Flatten', ['pooled'], ['flat'], [{ name: 'axis', int: 1 }]),
      node('MatMul', ['flat', 'projection'], ['projected']),
      node('Add', ['projected', 'bias'], ['image_embeds']),
    ],
    initializers: [
      floatInitializer('projection', [3, opts.dims], weights(3 * opts.dims, 7)),
      floatInitializer('bias', [opts.dims], weights(opts.dims, 11)),
    ],
    inputs: [tensorInfo('pixel_values', DataType.FLOAT, ['batch', 3, size, opts.size ?? 'width'])],
    outputs: [tensorInfo('image_embeds', DataType.FLOAT, ['batch', opts.dims])],
  });
}

/**
 * What tinyVisionModel outputs, written out: `pooled` (the per-channel mean of the normalised
 * pixels) times the projection plus the bias, not normalised. Lets a test know an image's vector
 * without running the model.
 */
export function tinyVisionEmbedding(
  pooled: readonly [number, number, number],
  dims: number,
): Float32Array {
  const projection = weights(3 * dims, 7);
  const out = weights(dims, 11);
  for (let j = 0; j < dims; j++)
    for (let c = 0; c < 3; c++) out[j]! += pooled[c]! * projection[c * dims + j]!;
  return out;
}

/**
 * Text tower: input_ids [batch, contextLength] → Gather(embedding table) → ReduceMean over tokens →
 * text_embeds [batch, dims]. A fixed context length mimics CLIP (77) / Chinese-CLIP (52).
 */
export function tinyTextModel(opts: {
  dims: number;
  vocabSize: number;
  contextLength: number;
}): Buffer {
  return model({
    nodes: [
      node('Gather', ['embeddings', 'input_ids'], ['token_vectors'], [{ name: 'axis', int: 0 }]),
      node(
        'ReduceMean',
        ['token_vectors'],
        ['text_embeds'],
        [
          { name: 'axes', ints: [1] },
          { name: 'keepdims', int: 0 },
        ],
      ),
    ],
    initializers: [
      floatInitializer(
        'embeddings',
        [opts.vocabSize, opts.dims],
        weights(opts.vocabSize * opts.dims, 3),
      ),
    ],
    inputs: [tensorInfo('input_ids', DataType.INT64, ['batch', opts.contextLength])],
    outputs: [tensorInfo('text_embeds', DataType.FLOAT, ['batch', opts.dims])],
  });
}

/** A WordPiece tokenizer.json (BERT style) over a handful of words. */
export function tinyTokenizerJson(words: string[]): object {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const vocab: Record<string, number> = {};
  [...specials, ...words].forEach((w, i) => (vocab[w] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export interface TinyClipFiles {
  visionModelPath: string;
  textModelPath: string;
  tokenizerPath: string;
  dims: number;
  contextLength: number;
}

/** Writes a tiny two-tower CLIP (vision + text + tokenizer.json) into `dir`. */
export async function writeTinyClip(
  dir: string,
  opts: { dims?: number; size?: number } = {},
): Promise<TinyClipFiles> {
  const dims = opts.dims ?? 16;
  const contextLength = 8;
  const words = ['red', 'blue', 'green', 'shoe', 'dress', 'phone', '红', '色', '鞋'];
  await fs.mkdir(dir, { recursive: true });
  const files = {
    visionModelPath: path.join(dir, 'vision.onnx'),
    textModelPath: path.join(dir, 'text.onnx'),
    tokenizerPath: path.join(dir, 'tokenizer.json'),
  };
  await fs.writeFile(files.visionModelPath, tinyVisionModel({ dims, size: opts.size }));
  await fs.writeFile(
    files.textModelPath,
    tinyTextModel({ dims, vocabSize: words.length + 4, contextLength }),
  );
  await fs.writeFile(files.tokenizerPath, JSON.stringify(tinyTokenizerJson(words)));
  return { ...files, dims, contextLength };
}
