/**
 * The new English models through the real ingest into a real index: the mapping's dims and the
 * index `_meta` come from the model, the stored vectors are the document side (E5: "passage: " +
 * title, not the query side), a query vector finds its product, and an index of one model refuses
 * the vectors of another (other model, same dims; other dims).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import {
  type OnnxTextEncoder,
  createTextEncoder,
  dot,
  fetchModel,
} from '../../engine/embed/index.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missing = [
  await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable()),
  await requireComponent('e5-small-v2-q model', () => fetchModel('e5-small-v2-q')),
  await requireComponent('all-minilm-l6-v2-q model', () => fetchModel('all-minilm-l6-v2-q')),
];

const products = [...generateDemoCatalog({ tenants: 1, spusPerTenant: 8, seed: 11 })];
const tenant = products[0]!.spu.tenant_id as string;

interface Stored {
  spu_id: string;
  title_en: string;
  title_embedding: number[];
}

describeWith(missing, 'English embedding models in a real index', () => {
  let tmp: string;
  let file: string;
  let es: Client;
  const suffix = Math.random().toString(36).slice(2, 10);
  const indexOf = (model: string) => `rwb_test_embed_${model}_${suffix}`;
  const created: string[] = [];

  const ingest = (model: string, index: string, recreate: boolean) =>
    runIngest({
      source: { kind: 'file', path: file },
      es: { url: esUrl() },
      index,
      recreate,
      resume: false,
      embedding: { model, threads: 1, cacheDir: path.join(tmp, 'vectors') },
    });

  async function stored(index: string): Promise<Stored[]> {
    await es.indices.refresh({ index });
    const res = await es.search<Stored>({
      index,
      size: 100,
      _source: ['spu_id', 'title_en', 'title_embedding'],
      query: { term: { tenant_id: tenant } },
    });
    return res.hits.hits.map((h) => h._source!);
  }

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-embed-index-'));
    file = path.join(tmp, 'products.ndjson');
    await fs.writeFile(file, products.map((p) => JSON.stringify(p)).join('\n') + '\n');
    es = createEsClient({ url: esUrl() });
  });
  afterAll(async () => {
    for (const index of created)
      await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await es?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  for (const model of ['e5-small-v2-q', 'all-minilm-l6-v2-q']) {
    it(`${model}: 384-d mapping and _meta from the model, document-side vectors, kNN finds the product`, async () => {
      const index = indexOf(model);
      created.push(index);
      const report = await ingest(model, index, true);
      expect(report.indexed).toBe(products.length);

      const mapping = Object.values(await es.indices.getMapping({ index }))[0]!.mappings;
      const vectorField = mapping.properties!.title_embedding as estypes.MappingDenseVectorProperty;
      expect(vectorField.dims).toBe(384);
      expect(mapping._meta).toMatchObject({ text_model: model, text_dims: 384 });

      const encoder: OnnxTextEncoder = await createTextEncoder({
        model,
        threads: 1,
        log: () => {},
      });
      try {
        const docs = await stored(index);
        expect(docs).toHaveLength(products.length);
        const titles = docs.map((d) => d.title_en);
        const documentSide = await encoder.encodeDocuments(titles);
        const querySide = await encoder.encodeQueries(titles);
        docs.forEach((doc, i) => {
          const v = Float32Array.from(doc.title_embedding);
          expect(dot(v, documentSide[i]!)).toBeGreaterThan(0.99999);
          // E5's two sides differ ("passage: " vs "query: "); MiniLM has one input for both.
          if (model === 'e5-small-v2-q') expect(dot(v, querySide[i]!)).toBeLessThan(0.999);
          else expect(dot(v, querySide[i]!)).toBeGreaterThan(0.99999);
        });

        // A query vector (query side) finds the product whose title it is.
        for (const [i, doc] of docs.slice(0, 3).entries()) {
          const res = await es.search<Stored>({
            index,
            size: 1,
            _source: ['spu_id'],
            knn: {
              field: 'title_embedding',
              query_vector: Array.from(querySide[i]!),
              k: 1,
              num_candidates: 50,
              filter: { term: { tenant_id: tenant } },
            },
          });
          expect(res.hits.hits[0]!._source!.spu_id).toBe(doc.spu_id);
        }
      } finally {
        await encoder.close();
      }
    });
  }

  it('an index of one model refuses another model of the same dims, and other dims', async () => {
    const index = indexOf('all-minilm-l6-v2-q');
    await expect(ingest('e5-small-v2-q', index, false)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('holds vectors of text model all-minilm-l6-v2-q'),
    });
    await expect(ingest('bge-small-zh-v15-q', index, false)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining(
        'has 384 dims while the text model bge-small-zh-v15-q gives 512',
      ),
    });
  });
});
