import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { icecatCategory, icecatProductType } from '../../engine/catalog/icecat-category.ts';
import { icecatFiles, icecatSpecName, icecatToSourceProduct } from '../../engine/catalog/icecat.ts';
import { quoteDatabaseName, renderSchemaSql } from '../../engine/catalog/schema.ts';
import { repoRoot } from '../../engine/paths.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';

describe('schema', () => {
  it('db/shoplazza.sql is the DDL of engine/catalog/schema.ts (regenerate: rwb db schema --print > db/shoplazza.sql)', async () => {
    const shipped = await readFile(path.join(repoRoot(), 'db', 'shoplazza.sql'), 'utf8');
    expect(shipped).toBe(renderSchemaSql());
  });

  it('refuses database names that are not plain identifiers', () => {
    expect(quoteDatabaseName('rwb_demo')).toBe('`rwb_demo`');
    expect(() => quoteDatabaseName('x`; DROP DATABASE y')).toThrow(/Invalid MySQL database name/);
  });
});

describe('Icecat mapping', () => {
  const raw = {
    id: '3920564',
    name: '006R90321',
    title: 'Xerox 006R90321 toner cartridge Original Black 6 pc(s)',
    ean: ['0095205603217'],
    short_description: 'Toner (6 Per Box) for CopyCentre C65 Digital Copier',
    img_high: 'http://images.icecat.biz/high.jpg',
    img_500x500: 'http://images.icecat.biz/500.jpg',
    date_released: '2009-12-10T00:00:00Z',
    supplier: 'Xerox',
    price: 4995,
    attr_t_printing_colours: 'Black',
    attr_n_quantity_per_pack: 6.0,
    attr_n_weight: 350.5,
    attr_b_rohs_compliance: true,
    attr_t_contrast_ratio__typical_: '200:1',
  };

  it('maps an Icecat product to one English SPU with one SKU', () => {
    const p = icecatToSourceProduct(raw, 'ice');
    expect(p.spu).toMatchObject({
      tenant_id: 'ice',
      id: '3920564',
      title: null,
      title_en: raw.title,
      brief_en: raw.short_description,
      vendor_en: 'Xerox',
      category_path_en: 'Printing Supplies/Toner cartridge',
      category_name_en: 'Toner cartridge',
      category_level: 2,
      image_src: 'http://images.icecat.biz/500.jpg',
      create_time: '2009-12-10T00:00:00Z',
    });
    expect(JSON.parse(p.spu.specs_json!)).toEqual([
      { name: 'printing_colours', value: 'Black' },
      { name: 'quantity_per_pack', value: '6' },
      { name: 'weight', value: '350.5' },
      { name: 'rohs_compliance', value: 'yes' },
      { name: 'contrast_ratio_typical', value: '200:1' },
    ]);
    expect(p.skus).toEqual([
      expect.objectContaining({
        id: '3920564',
        spu_id: '3920564',
        sku: '006R90321',
        price: '49.95',
        weight: 350.5,
        weight_unit: 'g',
      }),
    ]);
    expect(p.options).toEqual([]);
    const r = transformSpu(p);
    expect(r.ok && r.warnings).toEqual([]);
    if (r.ok)
      expect([r.doc.min_price, r.doc.sku_weights, r.doc.title_zh]).toEqual([49.95, [351], null]);
  });

  it('humanises attribute names by stripping the prefix and collapsing underscores', () => {
    expect(icecatSpecName('attr_t_product_colour')).toBe('product_colour');
    expect(icecatSpecName('attr_t_operating_temperature__t_t_')).toBe('operating_temperature_t_t');
    expect(icecatSpecName('price')).toBeNull();
  });

  it('derives the product type from the lower-case words after the model code', () => {
    expect(
      icecatProductType(
        'Lexmark 14N1070 ink cartridge Original Magenta 1 pc(s)',
        '14N1070',
        'Lexmark',
      ),
    ).toBe('ink cartridge');
    expect(
      icecatProductType('Intel Xeon E5320 processor 1.86 GHz Box 8 MB L2', 'E5320', 'Intel'),
    ).toBe('processor');
    expect(icecatProductType('Canon BCI-6Y Original', 'BCI-6Y', 'Canon')).toBeNull();
    expect(icecatProductType('Canon BCI-6Y Original', 'BCI-6Y', 'Canon', 'Ink tank')).toBe(
      'ink tank',
    );
    expect(
      icecatCategory('Tripp Lite Duplex Multimode Fiber Patch Cable (LC/SC), 6M', null),
    ).toEqual({
      path: 'Cables & Adapters',
      name: 'Cables & Adapters',
      level: 1,
    });
    expect(icecatCategory('Sony ALC-SH108', null)).toBeNull();
  });

  it('reports a missing data folder as NOT_FOUND', async () => {
    await expect(icecatFiles('/nonexistent/icecat')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
