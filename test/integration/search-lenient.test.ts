/**
 * Issue 17.1 live: `rwb serve` on a real Elasticsearch answers the shopper text of the issue with
 * results (the parse error a warning in the query info), not 400 PARSE_ERROR; the same bundle
 * served in strict mode still refuses it, and an expression keeps its meaning. A small fixture
 * index of its own, under a unique name, deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportBundle } from '../../engine/config/bundle.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { createFixtureIndex, deleteFixtureIndex } from '../e2e/fixtures.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missing = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const index = `rwb_test_lenient_${randomUUID().slice(0, 8)}`;
const apis: RunningSearchApi[] = [];
let lenient: RunningSearchApi;
let strict: RunningSearchApi;

/** Products the shopper text is about, added to the fixture's tenant 1. */
const EXTRA = [
  { spu_id: 'L01', title_en: 'Galaxy Tab 6" Tablet', title_zh: '六英寸平板电脑' },
  { spu_id: 'L02', title_en: 'Redmi Note 10 Pro Phone', title_zh: '红米 Note 10 Pro 手机' },
  { spu_id: 'L03', title_en: 'Black and White Striped Shirt', title_zh: '黑白条纹衬衫' },
];

/** Shopper text → a product it must find (null: only "answers with results, not 400"). */
const CASES: Array<[string, string | null]> = [
  ['6" tablet', 'L01'],
  ['耳机(蓝牙', '1001'],
  ['Note:10 pro', 'L02'],
  ['black|white shirt', 'L03'],
  ['https://m.shop/redmi-note-10-pro', 'L02'],
  ['OR 手机', 'L02'],
];

interface Answer {
  results: Array<{ spu_id: string }>;
  query: { parse_mode?: string; parse_error?: { kind: string } | null; warnings: string[] };
}

async function post(api: RunningSearchApi, query: string): Promise<Response> {
  return fetch(`${api.url}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': '1' },
    body: JSON.stringify({ query, size: 50 }),
  });
}

describeWith([missing], 'rwb serve: lenient parsing of shopper text on a real index', () => {
  beforeAll(async () => {
    await createFixtureIndex(esUrl(), index);
    const client = createEsClient({ url: esUrl() });
    try {
      await client.bulk({
        refresh: 'wait_for',
        operations: EXTRA.flatMap((doc) => [
          { index: { _index: index, _id: `1:${doc.spu_id}` } },
          { tenant_id: '1', ...doc },
        ]),
      });
      // The mapping template's bundle: the fixture index holds a subset of its fields.
      const bundle = await exportBundle({ config: defaultSearchConfig(), index });
      const common = { bundle, es: { url: esUrl() }, port: 0, translator: null, embedder: null };
      lenient = await startSearchApi(common);
      apis.push(lenient);
      strict = await startSearchApi({ ...common, parseMode: 'strict' });
      apis.push(strict);
    } finally {
      await client.close();
    }
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.close();
    await deleteFixtureIndex(esUrl(), index);
  });

  for (const [text, expected] of CASES) {
    it(`${JSON.stringify(text)}: results with a parse warning, 400 only when strict`, async () => {
      const response = await post(lenient, text);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Answer;
      expect(body.query.parse_mode).toBe('lenient');
      expect(body.query.parse_error?.kind).toEqual(expect.any(String));
      expect(body.query.warnings.join('\n')).toContain('searched as plain text');
      if (expected !== null) {
        expect(body.results.map((hit) => hit.spu_id)).toContain(expected);
      }

      const refused = await post(strict, text);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe('PARSE_ERROR');
    });
  }

  it('an expression keeps its meaning in lenient mode', async () => {
    const response = await post(lenient, 'title:shirt ANDNOT title:cotton');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Answer;
    expect(body.query.parse_error).toBeNull();
    expect(body.query.warnings.join('\n')).not.toContain('plain text');
    // L03 has "shirt"; 1006 (Cotton Crew-Neck T-Shirt) is excluded by the ANDNOT.
    expect(body.results.map((hit) => hit.spu_id)).toEqual(['L03']);
  });
});
