import { describe, expect, it } from 'vitest';
import type {
  OptionRow,
  RowError,
  SkuRow,
  SourceProduct,
  SpuRow,
} from '../../engine/catalog/types.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import type { TransformOptions } from '../../engine/ingest/spu-transformer.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';

const spu = (over: Partial<SpuRow> = {}): SpuRow => ({
  tenant_id: '1',
  id: '10',
  title: '保温杯',
  title_en: 'Vacuum flask',
  description: '不锈钢保温杯',
  ...over,
});
const sku = (id: string, over: Partial<SkuRow> = {}): SkuRow => ({
  tenant_id: '1',
  id,
  spu_id: '10',
  price: '59.00',
  inventory_quantity: 5,
  option1: '黑色',
  ...over,
});
const option = (over: Partial<OptionRow> = {}): OptionRow => ({
  tenant_id: '1',
  id: 'o1',
  spu_id: '10',
  position: 1,
  name: '颜色',
  values_json: '["黑色"]',
  ...over,
});
const product = (over: Partial<SourceProduct> = {}): SourceProduct => ({
  spu: spu(),
  skus: [sku('100'), sku('101', { price: '69.00', option1: '白色' })],
  options: [option()],
  ...over,
});

function kept(
  p: SourceProduct,
  opts?: TransformOptions,
): { doc: ProductDoc; warnings: RowError[] } {
  const r = transformSpu(p, opts);
  if (!r.ok) throw new Error(`expected a document, got errors ${JSON.stringify(r.errors)}`);
  return r;
}

function errorsOf(p: SourceProduct): RowError[] {
  const r = transformSpu(p);
  if (r.ok) throw new Error('expected the SPU to be rejected');
  return r.errors;
}

describe('transformSpu: rejected SPUs', () => {
  it('rejects an SPU without any title and says where', () => {
    const errors = errorsOf(product({ spu: spu({ title: null, title_en: '   ' }) }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      tenant_id: '1',
      spu_id: '10',
      where: 'shoplazza_product_spu[id=10].title',
    });
    expect(errors[0]!.reason).toMatch(/no usable title/);
  });

  it('rejects missing ids', () => {
    expect(errorsOf(product({ spu: spu({ id: '' }) }))[0]).toMatchObject({
      spu_id: null,
      where: 'shoplazza_product_spu[id=].id',
    });
    expect(
      errorsOf(product({ spu: spu({ tenant_id: null as unknown as string }) }))[0],
    ).toMatchObject({
      tenant_id: null,
      where: 'shoplazza_product_spu[id=10].tenant_id',
    });
  });

  it('drops an absurdly long title, and rejects when no title is left', () => {
    const long = 'x'.repeat(1001);
    const { doc, warnings } = kept(product({ spu: spu({ title_en: long }) }));
    expect(doc.title_en).toBeNull();
    expect(doc.title_zh).toBe('保温杯');
    expect(warnings).toEqual([
      expect.objectContaining({
        where: 'shoplazza_product_spu[id=10].title_en',
        reason: expect.stringMatching(/1001 characters.*dropped/),
      }),
    ]);
    expect(
      errorsOf(product({ spu: spu({ title: long, title_en: null }) })).map((e) => e.where),
    ).toEqual(['shoplazza_product_spu[id=10].title', 'shoplazza_product_spu[id=10].title']);
  });

  it('reports instead of throwing when the product is structurally broken', () => {
    const broken = { spu: spu(), skus: 'nope', options: null } as unknown as SourceProduct;
    const r = transformSpu(broken);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.reason).toMatch(/internal error/);
  });
});

describe('transformSpu: problems that keep the SPU', () => {
  it('truncates an over-long description to maxTextLength with a warning', () => {
    const { doc, warnings } = kept(product({ spu: spu({ description: '长'.repeat(50) }) }), {
      maxTextLength: 20,
    });
    expect(doc.description_zh).toBe('长'.repeat(20));
    expect(warnings.map((w) => w.where)).toEqual(['shoplazza_product_spu[id=10].description']);
  });

  it('nulls a negative or non-numeric SKU price and keeps the rest', () => {
    const { doc, warnings } = kept(
      product({
        skus: [
          sku('100', { price: '-5' }),
          sku('101', { price: 'abc' }),
          sku('102', { price: '80.5', option1: '红色' }),
        ],
      }),
    );
    expect(doc.skus.map((s) => s.price)).toEqual([null, null, 80.5]);
    expect(doc.sku_prices).toEqual([80.5]);
    expect([doc.min_price, doc.max_price]).toEqual([80.5, 80.5]);
    expect(warnings).toEqual([
      expect.objectContaining({
        where: 'shoplazza_product_sku[id=100].price',
        reason: expect.stringMatching(/negative/),
      }),
      expect.objectContaining({
        where: 'shoplazza_product_sku[id=101].price',
        reason: expect.stringMatching(/not a number/),
      }),
    ]);
  });

  it('reports a NULL price, counts bad stock as 0 and nulls a bad weight', () => {
    const { doc, warnings } = kept(
      product({
        skus: [
          sku('100', { price: null, inventory_quantity: -3, weight: 'heavy' }),
          sku('101', { inventory_quantity: '2.5' }),
        ],
      }),
    );
    expect(doc.total_inventory).toBe(0);
    expect(doc.skus[0]!.weight).toBeNull();
    expect(warnings.map((w) => w.where)).toEqual([
      'shoplazza_product_sku[id=100].weight',
      'shoplazza_product_sku[id=100].price',
      'shoplazza_product_sku[id=100].inventory_quantity',
      'shoplazza_product_sku[id=101].inventory_quantity',
    ]);
  });

  it('skips SKUs of another SPU, duplicated SKU ids and SKUs without an id', () => {
    const { doc, warnings } = kept(
      product({
        skus: [
          sku('100'),
          sku('100', { price: '1' }),
          sku('200', { spu_id: '11' }),
          sku('', { price: '2' }),
          sku('101'),
        ],
      }),
    );
    expect(doc.skus.map((s) => s.sku_id)).toEqual(['100', '101']);
    expect(doc.skus[0]!.price).toBe(59);
    expect(warnings.map((w) => [w.where, w.reason.split(';')[0]])).toEqual([
      ['shoplazza_product_sku[id=100].id', 'duplicate SKU id 100 in SPU 10'],
      [
        'shoplazza_product_sku[id=200].spu_id',
        'SKU belongs to SPU 11 of tenant 1, not SPU 10 of tenant 1',
      ],
      ['shoplazza_product_sku[id=].id#3', 'SKU #3 of SPU 10 has no id'],
    ]);
  });

  it('ignores malformed specs_json and values_json with a warning each', () => {
    const { doc, warnings } = kept(
      product({
        spu: spu({ specs_json: '[{"name": "材质", ' }),
        options: [option({ values_json: '{not json' })],
      }),
    );
    expect(doc.specifications).toEqual([
      { sku_id: '100', name: '颜色', value: '黑色' },
      { sku_id: '101', name: '颜色', value: '白色' },
    ]);
    expect(warnings.map((w) => w.where)).toEqual([
      'shoplazza_product_option[id=o1].values_json',
      'shoplazza_product_spu[id=10].specs_json',
    ]);
    expect(warnings.every((w) => /malformed JSON/.test(w.reason))).toBe(true);
  });

  it('keeps the valid entries of specs_json and reports the invalid ones once', () => {
    const { doc, warnings } = kept(
      product({
        spu: spu({
          specs_json: JSON.stringify([
            { name: '产地', value: '中国' },
            { value: 'x' },
            'loose',
            { name: 'n', value: { a: 1 } },
          ]),
        }),
      }),
    );
    expect(doc.specifications.filter((s) => s.sku_id === '')).toEqual([
      { sku_id: '', name: '产地', value: '中国' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toMatch(/^3 of 4 entries/);
  });

  it('skips options with a bad position, a foreign SPU or a duplicated position; values without a name stay off specifications', () => {
    const { doc, warnings } = kept(
      product({
        skus: [sku('100', { option2: 'L', option3: 'x' })],
        options: [
          option(),
          option({ id: 'o2', position: 1, name: '色' }),
          option({ id: 'o4', position: 4, name: 'big' }),
          option({ id: 'o5', spu_id: '99', position: 2, name: 'size' }),
        ],
      }),
    );
    expect([doc.option1_name, doc.option2_name, doc.option3_name]).toEqual(['颜色', null, null]);
    expect(doc.specifications).toEqual([{ sku_id: '100', name: '颜色', value: '黑色' }]);
    expect(doc.skus[0]!.option2_value).toBe('L');
    expect(warnings.map((w) => w.where)).toEqual([
      'shoplazza_product_option[id=o2].position',
      'shoplazza_product_option[id=o4].position',
      'shoplazza_product_option[id=o5].spu_id',
      'shoplazza_product_spu[id=10].option2_name',
      'shoplazza_product_spu[id=10].option3_name',
    ]);
  });

  it('nulls invalid dates and a non-integer category level (derived from the path instead)', () => {
    const { doc, warnings } = kept(
      product({
        spu: spu({
          create_time: 'yesterday',
          category_level: 'two' as unknown as number,
          category_path: 'A/B',
        }),
      }),
    );
    expect(doc.create_time).toBeNull();
    expect(doc.category_level).toBe(2);
    expect(warnings.map((w) => w.where)).toEqual([
      'shoplazza_product_spu[id=10].category_level',
      'shoplazza_product_spu[id=10].create_time',
    ]);
  });

  it('drops text of the wrong type and reports an unknown weight unit', () => {
    const { doc, warnings } = kept(
      product({
        spu: spu({ vendor: { name: 'x' } as unknown as string }),
        skus: [sku('100', { weight: 3, weight_unit: 'stone' })],
      }),
    );
    expect(doc.vendor_zh).toBeNull();
    expect(doc.skus[0]!.weight).toBe(3);
    expect(doc.sku_weights).toEqual([]);
    expect(warnings.map((w) => w.where).sort()).toEqual([
      'shoplazza_product_sku[id=100].weight_unit',
      'shoplazza_product_spu[id=10].vendor',
    ]);
  });
});
