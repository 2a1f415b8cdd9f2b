import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../../engine/catalog/file-source.ts';
import { readJsonArrayElements } from '../../engine/catalog/json-stream.ts';
import type { RowError, SourceProduct } from '../../engine/catalog/types.ts';
import { RwbError } from '../../engine/errors.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-file-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const product = (
  tenant: string,
  id: string | number,
  updated = '2024-05-01 00:00:00',
  skuUpdated?: string,
): unknown => ({
  spu: { tenant_id: tenant, id, title: `商品${id}`, update_time: updated },
  skus: [
    {
      tenant_id: tenant,
      id: `${id}-1`,
      spu_id: String(id),
      price: '10.00',
      update_time: skuUpdated ?? updated,
    },
  ],
  options: [],
});

async function collect(file: string, opts: Parameters<typeof openFileSource>[1] = {}) {
  const errors: RowError[] = [];
  const source = openFileSource(file, { ...opts, onRowError: (e) => errors.push(e) });
  const products: SourceProduct[] = [];
  for await (const p of source.products()) products.push(p);
  const count = await source.count();
  await source.close();
  return { products, errors, count };
}

describe('file source: NDJSON', () => {
  it('streams good lines and reports malformed ones with file:line', async () => {
    const file = path.join(dir, 'products.ndjson');
    const lines = [
      JSON.stringify(product('1', '1')),
      '{"spu": {"tenant_id": "1", "id": "2"',
      '',
      JSON.stringify(product('1', 3)),
      '[1, 2]',
      JSON.stringify({ spu: { tenant_id: '1', id: '5' }, skus: {} }),
      JSON.stringify(product('2', '6')),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const { products, errors, count } = await collect(file);
    expect(products.map((p) => `${p.spu.tenant_id}:${p.spu.id}`)).toEqual(['1:1', '1:3', '2:6']);
    expect(products[1]!.spu.id).toBe('3'); // numeric ids become strings, as MySQL returns them
    expect(products[0]!.options).toEqual([]);
    expect(count).toBe(3);
    expect(errors.map((e) => e.where)).toEqual([
      'products.ndjson:2',
      'products.ndjson:5',
      'products.ndjson:6',
    ]);
    expect(errors[0]!.reason).toMatch(/^invalid JSON/);
    expect(errors[1]!.reason).toMatch(/expected an object/);
    expect(errors[2]!.reason).toMatch(/"skus" must be an array/);
  });

  it('filters by tenant and by update time of the SPU or any of its SKUs', async () => {
    const file = path.join(dir, 'filter.jsonl');
    const rows = [
      product('1', 'old'),
      product('1', 'new', '2024-09-01 00:00:00'),
      product('1', 'sku-changed', '2024-01-01 00:00:00', '2024-09-02T00:00:00Z'),
      product('2', 'other-tenant', '2024-09-01 00:00:00'),
    ];
    await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const since = new Date('2024-06-01T00:00:00Z');
    const { products, count } = await collect(file, { tenantIds: ['1'], since });
    expect(products.map((p) => p.spu.id)).toEqual(['new', 'sku-changed']);
    expect(count).toBe(2);
  });

  it('skips deleted SPUs in a full read and yields them in incremental mode', async () => {
    const file = path.join(dir, 'deleted.ndjson');
    const deleted = {
      spu: {
        tenant_id: '1',
        id: 'gone',
        title: 'x',
        deleted: 1,
        update_time: '2024-09-01 00:00:00',
      },
      skus: [],
    };
    await writeFile(
      file,
      [JSON.stringify(product('1', 'kept')), JSON.stringify(deleted)].join('\n'),
    );
    expect((await collect(file)).products.map((p) => p.spu.id)).toEqual(['kept']);
    const incremental = await collect(file, { since: new Date('2024-06-01T00:00:00Z') });
    expect(incremental.products.map((p) => p.spu.id)).toEqual(['gone']);
  });

  it('fails with NOT_FOUND for a missing file', async () => {
    const source = openFileSource(path.join(dir, 'missing.ndjson'));
    await expect(source.count()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('file source: JSON array', () => {
  it('reads elements one by one, reporting a broken element and a truncated end by line', async () => {
    const file = path.join(dir, 'products.json');
    const text = [
      '[',
      JSON.stringify(product('1', '1'), null, 2) + ',',
      '{"spu": {"tenant_id": "1", "id": "2", "title": tru}},',
      JSON.stringify(product('1', '3')) + ',',
      '{"spu": {"tenant_id": "1", "id": "4"',
    ].join('\n');
    await writeFile(file, text);
    const { products, errors } = await collect(file);
    expect(products.map((p) => p.spu.id)).toEqual(['1', '3']);
    const brokenLine = 2 + JSON.stringify(product('1', '1'), null, 2).split('\n').length;
    expect(errors.map((e) => e.where)).toEqual([
      `products.json:${brokenLine}`,
      `products.json:${brokenLine + 2}`,
    ]);
    expect(errors[1]!.reason).toMatch(/truncated/);
  });

  it('rejects a file that is not an array with PARSE_ERROR', async () => {
    const file = path.join(dir, 'object.json');
    await writeFile(file, '{"spu": {}}');
    await expect(collect(file)).rejects.toSatisfy(
      (e: unknown) => e instanceof RwbError && e.code === 'PARSE_ERROR',
    );
  });

  it('splits elements correctly across read-chunk boundaries (strings with brackets, escapes, unicode)', async () => {
    const file = path.join(dir, 'big.json');
    const elements = Array.from({ length: 600 }, (_, i) => ({
      id: String(i),
      text: `标题 ${i} "quoted" [not a bracket] {nor this} \\ back\\slash ${'x'.repeat(i % 97)}`,
      nested: { list: [i, [i + 1], { deep: '],' }] },
    }));
    await writeFile(file, JSON.stringify(elements, null, 1));
    for (const chunkBytes of [7, 64, 4096, 256 * 1024]) {
      const parsed: unknown[] = [];
      for await (const e of readJsonArrayElements(file, { chunkBytes }))
        parsed.push(JSON.parse(e.text));
      expect(parsed).toEqual(elements);
    }
  });
});
