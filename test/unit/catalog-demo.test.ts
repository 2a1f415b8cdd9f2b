import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoCatalog, writeDemoFile } from '../../engine/catalog/demo-catalog.ts';
import type { SourceProduct } from '../../engine/catalog/types.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';

function digest(products: Iterable<SourceProduct>): string {
  const h = createHash('sha256');
  for (const p of products) h.update(JSON.stringify(p));
  return h.digest('hex');
}

const small = { tenants: 3, spusPerTenant: 120 };

describe('demo catalog generator', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const a = digest(generateDemoCatalog({ ...small, seed: 7 }));
    expect(digest(generateDemoCatalog({ ...small, seed: 7 }))).toBe(a);
    expect(digest(generateDemoCatalog({ ...small, seed: 8 }))).not.toBe(a);
  });

  it('keeps earlier SPUs unchanged when the size grows', () => {
    const first = [...generateDemoCatalog({ tenants: ['1'], spusPerTenant: 10, seed: 3 })];
    const more = [...generateDemoCatalog({ tenants: ['1'], spusPerTenant: 30, seed: 3 })];
    expect(more.slice(0, 10)).toEqual(first);
  });

  it('yields the requested tenants and sizes with unique ids per tenant', () => {
    const products = [...generateDemoCatalog({ tenants: 4, spusPerTenant: 50 })];
    expect(products).toHaveLength(200);
    expect([...new Set(products.map((p) => p.spu.tenant_id))]).toEqual(['1', '2', '3', '4']);
    const keys = new Set(products.map((p) => `${p.spu.tenant_id}:${p.spu.id}`));
    expect(keys.size).toBe(200);
    const skuKeys = products.flatMap((p) => p.skus.map((s) => `${s.tenant_id}:${s.id}`));
    expect(new Set(skuKeys).size).toBe(skuKeys.length);
  });

  it('produces clean rows: every SPU transforms without a warning and has SKUs, options and specs', () => {
    for (const p of generateDemoCatalog(small)) {
      const r = transformSpu(p);
      expect(r.ok && r.warnings).toEqual([]);
      if (!r.ok) continue;
      expect(p.skus.length).toBeGreaterThan(0);
      expect(r.doc.category1_name && r.doc.category2_name && r.doc.category3_name).toBeTruthy();
      expect(r.doc.min_price).toBeGreaterThan(0);
      expect(r.doc.specifications.some((s) => s.sku_id === '')).toBe(true);
      expect(r.doc.specifications.some((s) => s.sku_id !== '')).toBe(true);
      for (const s of p.skus)
        expect(s.option1).toBe(r.doc.skus.find((d) => d.sku_id === s.id)?.option1_value);
    }
  });

  it('gives the three tenant profiles their languages (zh options, en options, zh only)', () => {
    const byTenant = new Map<string, SourceProduct[]>();
    for (const p of generateDemoCatalog(small))
      byTenant.set(p.spu.tenant_id, [...(byTenant.get(p.spu.tenant_id) ?? []), p]);
    const t1 = byTenant.get('1')!;
    const t2 = byTenant.get('2')!;
    const t3 = byTenant.get('3')!;
    expect(t1.every((p) => p.spu.title && p.spu.title_en && p.spu.category_path_en)).toBe(true);
    expect(t1.flatMap((p) => p.options.map((o) => o.name))).toContain('颜色');
    expect(t2.flatMap((p) => p.options.map((o) => o.name))).toContain('color');
    expect(
      t3.every((p) => p.spu.title && p.spu.title_en === null && p.spu.description_en === null),
    ).toBe(true);
  });

  it('has findable headphones: a Chinese 蓝牙耳机 title under 电子产品/音频设备/耳机 with an English counterpart', () => {
    const headphones = [...generateDemoCatalog({ tenants: ['1'], spusPerTenant: 500 })].filter(
      (p) => p.spu.title?.includes('蓝牙耳机'),
    );
    expect(headphones.length).toBeGreaterThan(0);
    for (const p of headphones) {
      expect(p.spu.category_path).toBe('电子产品/音频设备/耳机');
      expect(p.spu.category_path_en).toBe('Electronics/Audio/Headphones');
      expect(p.spu.title_en).toMatch(/Bluetooth Headphones/);
    }
  });

  describe('writeDemoFile', () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('writes one SourceProduct per line, equal to the generator output', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-demo-'));
      const file = path.join(dir, 'sub', 'demo.ndjson');
      const n = await writeDemoFile(file, { tenants: 2, spusPerTenant: 25, seed: 5 });
      expect(n).toBe(50);
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect(lines).toHaveLength(50);
      const expected = [...generateDemoCatalog({ tenants: 2, spusPerTenant: 25, seed: 5 })];
      expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(JSON.stringify(expected)));
    });
  });
});
