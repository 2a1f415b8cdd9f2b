/**
 * Round trips CSV → model → CSV / TREC / RRE → model, on a small hand-made set and on the real
 * Icecat judgments (read from icecatDir(); skipped with a message when absent, failing under CI).
 */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { icecatDir } from '../../engine/paths.ts';
import { queriesWithNoPositiveRating, type QuerySet } from '../../engine/eval/judgments.ts';
import { exportCsvJudgments, importCsvJudgments } from '../../engine/eval/judgments-csv.ts';
import { exportRreJudgments, importRreJudgments } from '../../engine/eval/judgments-rre.ts';
import {
  exportTrecJudgments,
  importTrecJudgments,
  parseQueryIdMap,
} from '../../engine/eval/judgments-trec.ts';
import { readJudgmentsFile, writeJudgmentsFile } from '../../engine/eval/judgments-io.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

/** Queries and ratings only, ratings in doc-id order: what must survive any format. */
function content(set: QuerySet) {
  return set.queries.map((q) => ({
    text: q.text,
    ratings: [...q.ratings].sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0)),
  }));
}

function viaTrec(set: QuerySet): QuerySet {
  const exported = exportTrecJudgments(set);
  expect(exported.skipped).toEqual([]);
  const { queries } = parseQueryIdMap(exported.queries);
  const back = importTrecJudgments(exported.qrels, { queryTexts: queries });
  expect(back.issues).toEqual([]);
  return back.querySet;
}

function viaRre(set: QuerySet): QuerySet {
  const back = importRreJudgments(exportRreJudgments(set));
  expect(back.issues).toEqual([]);
  return back.querySet;
}

const SMALL_CSV = [
  'query,docid,rating',
  'laptop,1001,3',
  'laptop,1002,0',
  '"usb-c cable, 2m",2001,2',
  '"the ""boys"" dvd",3001,1',
  'netflix,4001,0',
  '',
].join('\n');

describe('round trips on a hand-made set', () => {
  const set = importCsvJudgments(SMALL_CSV).querySet;

  it('CSV → model → CSV gives the same text', () => {
    expect(exportCsvJudgments(set)).toBe(SMALL_CSV);
  });

  it('CSV → model → TREC → model keeps every query and rating', () => {
    const back = viaTrec(set);
    expect(content(back)).toEqual(content(set));
    expect(back.queries.map((q) => q.id)).toEqual(['1', '2', '3', '4']);
  });

  it('CSV → model → RRE → model keeps every query and rating', () => {
    expect(content(viaRre(set))).toEqual(content(set));
  });

  describe('through files', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-eval-judgments-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes and reads back each format, TREC with its query map', async () => {
      for (const name of ['set.csv', 'set.json', 'set.qrels']) {
        const file = path.join(dir, name);
        const written = await writeJudgmentsFile(set, file);
        const back = await readJudgmentsFile(file, {
          ...(written.format === 'trec' && { queriesFile: written.files[1] }),
        });
        expect(back.format).toBe(written.format);
        expect(back.issues).toEqual([]);
        expect(content(back.querySet)).toEqual(content(set));
      }
      expect(await readFile(path.join(dir, 'set.qrels.queries.tsv'), 'utf8')).toContain(
        '2\tusb-c cable, 2m\n',
      );
    });

    it('a missing file is a NOT_FOUND error naming the file', async () => {
      const missing = path.join(dir, 'nope.csv');
      await expect(readJudgmentsFile(missing)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(missing),
      });
    });
  });
});

const icecat = icecatDir();
const icecatMissing = await requireComponent(`Icecat judgments in ${icecat}`, () =>
  Promise.all([
    access(path.join(icecat, 'judgments.csv')),
    access(path.join(icecat, 'ratings-rre.json')),
  ]),
);

describeWith([icecatMissing], 'the real Icecat judgments', () => {
  const ZERO_ONLY_QUERIES = [
    'garmin',
    'flat screen tv',
    'computer',
    'printer',
    'light board',
    'touchscreen computer',
    'netflix',
    'youtube',
    'night light',
    'phone cord',
    'stylus',
    'iphone 7',
    'iphone x',
    'iphone 8',
    'iphone xr',
    'iphone 11',
    'nintendo switch games',
    'ipad pro',
    'the boys',
  ];

  it('judgments.csv: 100 queries, 2,532 judgments, no problems, 19 queries with only 0 ratings', async () => {
    const result = await readJudgmentsFile(path.join(icecat, 'judgments.csv'));
    expect(result.format).toBe('csv');
    expect(result.issues).toEqual([]);
    expect(result.querySet.name).toBe('judgments');
    expect(result.querySet.queries).toHaveLength(100);
    expect(result.stats).toEqual({
      rowsRead: 2532,
      ratingsKept: 2532,
      rowsRejected: 0,
      duplicates: 0,
    });
    expect(queriesWithNoPositiveRating(result.querySet)).toEqual(ZERO_ONLY_QUERIES);
    const grades = result.querySet.queries.flatMap((q) => q.ratings.map((r) => r.rating));
    expect([0, 1, 2, 3].map((g) => grades.filter((x) => x === g).length)).toEqual([
      1405, 169, 75, 883,
    ]);
  });

  it('ratings-rre.json: one query "laptop" on index ecommerce', async () => {
    const result = await readJudgmentsFile(path.join(icecat, 'ratings-rre.json'));
    expect(result.format).toBe('rre');
    expect(result.issues).toEqual([]);
    expect(result.querySet.index).toBe('ecommerce');
    expect(result.querySet.queries.map((q) => q.text)).toEqual(['laptop']);
    const ratings = result.querySet.queries[0]?.ratings ?? [];
    expect(ratings.filter((r) => r.rating === 1)).toHaveLength(54);
    expect(ratings.filter((r) => r.rating === 3)).toHaveLength(18);
    expect(ratings).toHaveLength(72);
  });

  it('round trips CSV → model → CSV / TREC / RRE', async () => {
    const { querySet } = await readJudgmentsFile(path.join(icecat, 'judgments.csv'));
    const csvBack = importCsvJudgments(exportCsvJudgments(querySet), { name: querySet.name });
    expect(csvBack.querySet).toEqual(querySet);
    expect(content(viaTrec(querySet))).toEqual(content(querySet));
    expect(content(viaRre(querySet))).toEqual(content(querySet));
  });
});
