/**
 * Our vectors against a reference implementation: @huggingface/transformers' feature-extraction
 * pipeline on the very same ONNX file and tokenizer.json, with the pooling the model was trained
 * with (mean over the attention mask for MiniLM and E5, CLS for BGE) and L2 normalisation, and
 * with each side's prefix written out here by hand ("query: " / "passage: " for E5). A wrong
 * pooling, a missing or misplaced prefix or a padding token counted in the mean all fail it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type OnnxTextEncoder,
  createTextEncoder,
  dot,
  fetchModel,
  getModelSpec,
} from '../../engine/embed/index.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

type Extractor = (
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{ data: Float32Array | ArrayLike<number> }>;

const texts = [
  'Sony WH-1000XM5 Wireless Noise Cancelling Headphones',
  'HP LaserJet Pro M404dn monochrome laser printer, A4, duplex',
  'usb c cable',
  'Café crème: Ölfilter für Kaffeemaschine',
];

/**
 * transformers.js reads a Hugging Face model directory: one is laid out over our extracted files
 * (symlinks), so both sides read the same bytes.
 */
async function referenceExtractor(modelId: string): Promise<{ extract: Extractor; root: string }> {
  const spec = getModelSpec(modelId);
  const files = await fetchModel(modelId);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-reference-'));
  const dir = path.join(root, modelId);
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.symlink(files.tokenizerPath, path.join(dir, 'tokenizer.json'));
  const onnxName = spec.quantized ? 'model_quantized.onnx' : 'model.onnx';
  await fs.symlink(files.onnxPath, path.join(dir, 'onnx', onnxName));
  await fs.writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: spec.dims }),
  );
  await fs.writeFile(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      model_max_length: spec.maxTokens,
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = root;
  const extractor = await pipeline('feature-extraction', modelId, {
    dtype: spec.quantized ? 'q8' : 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
  return { extract: extractor as unknown as Extractor, root };
}

/** One text per call: int8 graphs quantize activations per batch (see text-encoder.ts). */
async function reference(
  extract: Extractor,
  inputs: string[],
  pooling: 'mean' | 'cls',
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const input of inputs) {
    const result = await extract([input], { pooling, normalize: true });
    out.push(Float32Array.from(result.data));
  }
  return out;
}

function cosines(a: Float32Array[], b: Float32Array[]): number[] {
  return a.map((v, i) => dot(v, b[i]!));
}

const MIN_COSINE = 0.999;

interface Case {
  model: string;
  pooling: 'mean' | 'cls';
  queryPrefix: string;
  documentPrefix: string;
}

const cases: Case[] = [
  { model: 'e5-small-v2-q', pooling: 'mean', queryPrefix: 'query: ', documentPrefix: 'passage: ' },
  { model: 'all-minilm-l6-v2', pooling: 'mean', queryPrefix: '', documentPrefix: '' },
  { model: 'all-minilm-l6-v2-q', pooling: 'mean', queryPrefix: '', documentPrefix: '' },
  {
    model: 'bge-small-en-v15-q',
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    documentPrefix: '',
  },
];

for (const c of cases) {
  const missing = await requireComponent(`${c.model} model`, () => fetchModel(c.model));

  describeWith([missing], `${c.model} matches transformers.js (${c.pooling} pooling)`, () => {
    let encoder: OnnxTextEncoder;
    let extract: Extractor;
    let root: string;

    beforeAll(async () => {
      encoder = await createTextEncoder({ model: c.model, threads: 1, log: () => {} });
      ({ extract, root } = await referenceExtractor(c.model));
    });
    afterAll(async () => {
      await encoder?.close();
      if (root) await fs.rm(root, { recursive: true, force: true });
    });

    it('the registry states the pooling and prefixes this test checks', () => {
      const spec = getModelSpec(c.model);
      expect(spec).toMatchObject({
        pooling: c.pooling,
        normalize: true,
        queryPrefix: c.queryPrefix,
        documentPrefix: c.documentPrefix,
        dims: 384,
      });
      expect(encoder.dims).toBe(384);
    });

    it(`documents: cosine ≥ ${MIN_COSINE} to the reference on "${c.documentPrefix}" + text`, async () => {
      const ours = await encoder.encodeDocuments(texts);
      const ref = await reference(
        extract,
        texts.map((t) => c.documentPrefix + t),
        c.pooling,
      );
      for (const cos of cosines(ours, ref)) expect(cos).toBeGreaterThanOrEqual(MIN_COSINE);
    });

    it(`queries: cosine ≥ ${MIN_COSINE} to the reference on "${c.queryPrefix}" + text`, async () => {
      const ours = await encoder.encodeQueries(texts);
      const ref = await reference(
        extract,
        texts.map((t) => c.queryPrefix + t),
        c.pooling,
      );
      for (const cos of cosines(ours, ref)) expect(cos).toBeGreaterThanOrEqual(MIN_COSINE);
    });

    it('the other pooling is measurably different (the comparison can tell them apart)', async () => {
      const ours = await encoder.encodeDocuments(texts);
      const other = await reference(
        extract,
        texts.map((t) => c.documentPrefix + t),
        c.pooling === 'mean' ? 'cls' : 'mean',
      );
      expect(Math.min(...cosines(ours, other))).toBeLessThan(MIN_COSINE);
    });

    if (c.queryPrefix !== c.documentPrefix) {
      it('each side gets its own prefix: a query is not the document vector of the same text', async () => {
        const [query] = await encoder.encodeQueries([texts[0]!]);
        const [document] = await encoder.encodeDocuments([texts[0]!]);
        expect(dot(query!, document!)).toBeLessThan(MIN_COSINE);
      });
    }

    if (!getModelSpec(c.model).quantized) {
      it('padding does not leak into the pooled vector (a padded batch equals one text per run)', async () => {
        expect(encoder.batchSize).toBeGreaterThan(1);
        const batched = await encoder.encodeDocuments(texts);
        for (const [i, text] of texts.entries()) {
          const [alone] = await encoder.encodeDocuments([text]);
          expect(dot(alone!, batched[i]!)).toBeGreaterThan(0.99999);
        }
      });
    }
  });
}
