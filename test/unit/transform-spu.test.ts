import { describe, expect, it } from 'vitest';
import type {
  OptionRow,
  ProductDoc,
  RowError,
  SkuRow,
  SourceProduct,
  SpuRow,
} from '../../engine/catalog/types.ts';
import { SPU_LEVEL_SKU_ID, transformSpu } from '../../engine/ingest/spu-transformer.ts';

function spuRow(over: Partial<SpuRow> = {}): SpuRow {
  return {
    tenant_id: '7',
    id: '123',
    handle: 'bt-headphones',
    title: '蓝牙耳机',
    title_en: 'Bluetooth Headphones',
    brief: '高品质蓝牙耳机',
    brief_en: 'High-quality Bluetooth headphones',
    description: '主动降噪，续航30小时。',
    description_en: 'Active noise cancelling, 30 h battery.',
    vendor: '品牌A',
    vendor_en: 'Brand A',
    category_id: 'c-42',
    category_path: '电子产品/音频设备/耳机',
    category_path_en: 'Electronics/Audio/Headphones',
    category_name: '耳机',
    category_name_en: 'Headphones',
    category_level: 3,
    tags: '新品, 热卖，新品;包邮',
    image_src: 'https://example.com/spu.jpg',
    specs_json: JSON.stringify([
      { name: 'material', value: 'plastic' },
      { name: 'bluetooth', value: 5.3 },
    ]),
    published: 1,
    deleted: 0,
    create_time: new Date('2024-01-02T03:04:05Z'),
    update_time: '2024-02-03 04:05:06',
    ...over,
  };
}

function skuRow(id: string, over: Partial<SkuRow> = {}): SkuRow {
  return {
    tenant_id: '7',
    id,
    spu_id: '123',
    title: `sku ${id}`,
    sku: `SKU-123-${id}`,
    price: '199.99',
    compare_at_price: '249.99',
    inventory_quantity: 50,
    weight: '0.2',
    weight_unit: 'kg',
    option1: 'black',
    option2: 'large',
    option3: null,
    image_src: `https://example.com/${id}.jpg`,
    create_time: null,
    update_time: null,
    ...over,
  };
}

function optionRow(position: number, name: string, over: Partial<OptionRow> = {}): OptionRow {
  return {
    tenant_id: '7',
    id: `o${position}`,
    spu_id: '123',
    position,
    name,
    name_en: null,
    values_json: '["black","white"]',
    ...over,
  };
}

function product(over: Partial<SourceProduct> = {}): SourceProduct {
  return {
    spu: spuRow(),
    skus: [
      skuRow('456'),
      skuRow('457', {
        price: 299.99,
        compare_at_price: null,
        inventory_quantity: '7',
        option1: 'white',
        weight: 250,
        weight_unit: 'g',
        image_src: null,
      }),
    ],
    options: [optionRow(2, 'size'), optionRow(1, 'color')],
    ...over,
  };
}

function ok(p: SourceProduct): { doc: ProductDoc; warnings: RowError[] } {
  const r = transformSpu(p);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r;
}

describe('transformSpu: field mapping (seed §3.2)', () => {
  it('maps every ProductDoc field of a complete SPU', () => {
    const { doc, warnings } = ok(product());
    expect(warnings).toEqual([]);
    expect(doc).toEqual({
      tenant_id: '7',
      spu_id: '123',
      handle: 'bt-headphones',
      create_time: '2024-01-02T03:04:05.000Z',
      update_time: '2024-02-03T04:05:06.000Z',
      title_zh: '蓝牙耳机',
      title_en: 'Bluetooth Headphones',
      brief_zh: '高品质蓝牙耳机',
      brief_en: 'High-quality Bluetooth headphones',
      description_zh: '主动降噪，续航30小时。',
      description_en: 'Active noise cancelling, 30 h battery.',
      vendor_zh: '品牌A',
      vendor_en: 'Brand A',
      category_path_zh: '电子产品/音频设备/耳机',
      category_path_en: 'Electronics/Audio/Headphones',
      category_name_zh: '耳机',
      category_name_en: 'Headphones',
      category_id: 'c-42',
      category_name: '耳机',
      category_level: 3,
      category1_name: '电子产品',
      category2_name: '音频设备',
      category3_name: '耳机',
      tags: ['新品', '热卖', '包邮'],
      image_src: 'https://example.com/spu.jpg',
      option1_name: 'color',
      option2_name: 'size',
      option3_name: null,
      specifications: [
        { sku_id: '456', name: 'color', value: 'black' },
        { sku_id: '456', name: 'size', value: 'large' },
        { sku_id: '457', name: 'color', value: 'white' },
        { sku_id: '457', name: 'size', value: 'large' },
        { sku_id: SPU_LEVEL_SKU_ID, name: 'material', value: 'plastic' },
        { sku_id: SPU_LEVEL_SKU_ID, name: 'bluetooth', value: '5.3' },
      ],
      skus: [
        {
          sku_id: '456',
          price: 199.99,
          compare_at_price: 249.99,
          sku_code: 'SKU-123-456',
          stock: 50,
          weight: 0.2,
          weight_unit: 'kg',
          option1_value: 'black',
          option2_value: 'large',
          option3_value: null,
          image_src: 'https://example.com/456.jpg',
        },
        {
          sku_id: '457',
          price: 299.99,
          compare_at_price: null,
          sku_code: 'SKU-123-457',
          stock: 7,
          weight: 250,
          weight_unit: 'g',
          option1_value: 'white',
          option2_value: 'large',
          option3_value: null,
          image_src: null,
        },
      ],
      min_price: 199.99,
      max_price: 299.99,
      compare_at_price: 249.99,
      sku_prices: [199.99, 299.99],
      sku_weights: [200, 250],
      total_inventory: 57,
    });
  });

  it('leaves English fields null when only Chinese columns are filled (seed default)', () => {
    const { doc } = ok(
      product({
        spu: spuRow({
          title_en: null,
          brief_en: null,
          description_en: null,
          vendor_en: null,
          category_path_en: null,
          category_name_en: null,
        }),
      }),
    );
    expect(doc.title_zh).toBe('蓝牙耳机');
    expect([
      doc.title_en,
      doc.brief_en,
      doc.description_en,
      doc.vendor_en,
      doc.category_path_en,
      doc.category_name_en,
    ]).toEqual([null, null, null, null, null, null]);
  });

  it('takes category levels from the English path when there is no Chinese one, and derives names and level', () => {
    const { doc } = ok(
      product({
        spu: spuRow({
          category_path: null,
          category_name: null,
          category_name_en: null,
          category_level: null,
          category_path_en: 'Toys > Dolls',
        }),
      }),
    );
    expect([doc.category1_name, doc.category2_name, doc.category3_name]).toEqual([
      'Toys',
      'Dolls',
      null,
    ]);
    expect(doc.category_level).toBe(2);
    expect(doc.category_name_en).toBe('Dolls');
    expect(doc.category_name).toBe('Dolls');
  });

  it('uses the first SKU image when the SPU has none, and accepts an SPU without SKUs', () => {
    expect(ok(product({ spu: spuRow({ image_src: null }) })).doc.image_src).toBe(
      'https://example.com/456.jpg',
    );
    const { doc, warnings } = ok(product({ skus: [], options: [] }));
    expect(warnings).toEqual([]);
    expect([doc.min_price, doc.max_price, doc.compare_at_price, doc.total_inventory]).toEqual([
      null,
      null,
      null,
      0,
    ]);
    expect(doc.sku_prices).toEqual([]);
  });

  it('accepts specs_json as an object map and removes duplicate specifications', () => {
    const { doc } = ok(
      product({
        spu: spuRow({ specs_json: '{"材质": "棉", "产地": ["中国", "中国"]}' }),
        skus: [],
        options: [],
      }),
    );
    expect(doc.specifications).toEqual([
      { sku_id: '', name: '材质', value: '棉' },
      { sku_id: '', name: '产地', value: '中国' },
    ]);
  });
});
