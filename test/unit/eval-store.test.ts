import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCsvJudgments } from '../../engine/eval/judgments-csv.ts';
import { QuerySetStore, querySetId } from '../../engine/eval/store/query-set-store.ts';
import { upgradeDocument, type VersionedFormat } from '../../engine/eval/store/versioned-json.ts';

let dir = '';
let store: QuerySetStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-eval-store-'));
  store = new QuerySetStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const icecatLike = importCsvJudgments('laptop,1,3\nlaptop,2,0\ntv,3,2\n', {
  name: 'Icecat judgments',
  tenant: 'acme',
  index: 'products',
}).querySet;

describe('QuerySetStore', () => {
  it('saves, lists, loads and removes a query set per tenant and index', async () => {
    const info = await store.save(icecatLike);
    expect(info).toMatchObject({
      id: 'acme~products~icecat-judgments',
      queries: 2,
      ratings: 3,
      tenant: 'acme',
    });
    expect(
      await store.load({ name: 'Icecat judgments', tenant: 'acme', index: 'products' }),
    ).toEqual(icecatLike);
    const listed = await store.list();
    expect(listed.problems).toEqual([]);
    expect(listed.sets.map((s) => s.id)).toEqual(['acme~products~icecat-judgments']);
    expect(await store.remove(icecatLike)).toBe(true);
    expect(await store.remove(icecatLike)).toBe(false);
    await expect(store.load(icecatLike)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps sets of other tenants apart and refuses to replace without overwrite', async () => {
    await store.save(icecatLike);
    await store.save({ ...icecatLike, tenant: 'other' });
    expect((await store.list()).sets).toHaveLength(2);
    await expect(store.save(icecatLike)).rejects.toThrow(/already exists; save with overwrite/);
    const changed = { ...icecatLike, queries: icecatLike.queries.slice(0, 1) };
    await store.save(changed, { overwrite: true });
    expect((await store.load(icecatLike)).queries).toHaveLength(1);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it('refuses a name whose file id collides with a different set', async () => {
    await store.save({ ...icecatLike, name: 'a b' });
    expect(querySetId({ ...icecatLike, name: 'a-b' })).toBe(
      querySetId({ ...icecatLike, name: 'a b' }),
    );
    await expect(store.save({ ...icecatLike, name: 'a-b' }, { overwrite: true })).rejects.toThrow(
      /would share file/,
    );
  });

  it('lists a corrupt or too-new file as a problem without failing the others', async () => {
    await store.save(icecatLike);
    await writeFile(path.join(dir, 'broken.json'), '{ not json');
    await writeFile(
      path.join(dir, 'future.json'),
      JSON.stringify({ ...icecatLike, schemaVersion: 99 }),
    );
    const { sets, problems } = await store.list();
    expect(sets).toHaveLength(1);
    expect(problems.map((p) => path.basename(p.file))).toEqual(['broken.json', 'future.json']);
    expect(problems[1]?.message).toMatch(
      /schemaVersion 99 is newer than this workbench understands \(1\)/,
    );
  });
});

describe('versioned documents', () => {
  // A made-up format at version 3: v1 had `title`, v2 renamed it `name`, v3 added `tags`.
  const format: VersionedFormat<{ schemaVersion: number; name: string; tags: string[] }> = {
    kind: 'demo',
    currentVersion: 3,
    migrations: {
      1: ({ title, ...rest }) => ({ ...rest, name: title }),
      2: (doc) => ({ ...doc, tags: [] }),
    },
    parse: (doc) => doc as { schemaVersion: number; name: string; tags: string[] },
  };

  it('runs every migration from the stored version up to the current one', () => {
    expect(upgradeDocument({ schemaVersion: 1, title: 'x' }, format, 'demo.json')).toEqual({
      value: { schemaVersion: 3, name: 'x', tags: [] },
      migratedFrom: 1,
    });
    expect(
      upgradeDocument({ schemaVersion: 3, name: 'y', tags: ['a'] }, format, 'demo.json')
        .migratedFrom,
    ).toBeNull();
  });

  it('rejects documents without a version, from the future, or with no migration path', () => {
    expect(() => upgradeDocument({ name: 'x' }, format, 'a.json')).toThrow(
      /a.json: demo has no valid schemaVersion/,
    );
    expect(() => upgradeDocument({ schemaVersion: 4 }, format, 'b.json')).toThrow(
      /newer than this workbench/,
    );
    expect(() => upgradeDocument({ schemaVersion: 0 }, format, 'c.json')).toThrow(
      /no migration for demo from schemaVersion 0/,
    );
  });
});
