import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import {
  assembleQuerySet,
  findUnknownDocIds,
  parseQuerySet,
  parseScale,
  queriesWithNoPositiveRating,
  ratingsByQuery,
  type JudgmentImport,
} from '../../engine/eval/judgments.ts';
import {
  exportCsvJudgments,
  importCsvJudgments,
  parseCsvRecords,
} from '../../engine/eval/judgments-csv.ts';
import { importRreJudgments } from '../../engine/eval/judgments-rre.ts';
import { importTrecJudgments, parseQueryIdMap } from '../../engine/eval/judgments-trec.ts';
import { detectJudgmentFormat } from '../../engine/eval/judgments-io.ts';

const fixtureDir = path.join(import.meta.dirname, '..', 'fixtures', 'eval');
const readFixture = (name: string) => readFileSync(path.join(fixtureDir, name), 'utf8');

const issueSummary = (result: JudgmentImport) =>
  result.issues.map((i) => [i.severity, i.code, i.line ?? i.path]);

describe('CSV parsing', () => {
  it('handles quotes, escaped quotes, commas, CRLF, a BOM and a quoted field spanning lines', () => {
    const text =
      '\uFEFFquery,docid,rating\r\n"a, b",1,2\r\n"say ""hi""",2,3\r\n"two\nlines",3,1\r\nlast,4,0';
    const { records, issues } = parseCsvRecords(text);
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['query', 'docid', 'rating'] },
      { line: 2, fields: ['a, b', '1', '2'] },
      { line: 3, fields: ['say "hi"', '2', '3'] },
      { line: 4, fields: ['two\nlines', '3', '1'] },
      { line: 6, fields: ['last', '4', '0'] },
    ]);
  });

  it('reports an unterminated quote at the line it opened', () => {
    const { records, issues } = parseCsvRecords('a,1,2\n"open,2,3\nb,3,1\n');
    expect(records).toEqual([{ line: 1, fields: ['a', '1', '2'] }]);
    expect(issues).toMatchObject([{ code: 'MALFORMED_ROW', line: 2 }]);
  });
});

describe('CSV import', () => {
  it('imports the good rows of a messy file and reports every bad one with its line', () => {
    const result = importCsvJudgments(readFixture('judgments-messy.csv'), { name: 'messy' });
    expect(issueSummary(result)).toEqual([
      ['error', 'NON_NUMERIC_RATING', 7],
      ['error', 'RATING_OUT_OF_SCALE', 8],
      ['error', 'MISSING_FIELD', 9],
      ['error', 'MISSING_FIELD', 10],
      ['error', 'MALFORMED_ROW', 11],
      ['warning', 'DUPLICATE_RATING', 12],
      ['error', 'NON_INTEGER_RATING', 13],
    ]);
    const messages = result.issues.map((i) => i.message);
    expect(messages).toContain(
      'line 7: rating "high" is not a number (query "laptop", doc "1003")',
    );
    expect(messages).toContain('line 9: missing docId');
    expect(messages).toContain('line 10: missing rating');
    expect(messages).toContain(
      'line 8: rating 5 is outside the scale 0–3 (query "laptop", doc "1004")',
    );
    expect(messages).toContain(
      'line 12: (query "laptop", doc "1001") rated 2 here and 3 at line 2; kept 2 (last wins)',
    );
    expect(result.querySet.queries).toEqual([
      {
        text: 'laptop',
        ratings: [
          { docId: '1001', rating: 2 },
          { docId: '1002', rating: 0 },
        ],
      },
      { text: 'usb-c cable, 2m', ratings: [{ docId: '2001', rating: 2 }] },
      { text: 'the "boys" dvd', ratings: [{ docId: '3001', rating: 1 }] },
      { text: 'tv', ratings: [{ docId: '4002', rating: 1 }] },
    ]);
    // 12 data rows (line 6 is blank) = 5 kept + 6 rejected + 1 duplicate
    expect(result.stats).toEqual({ rowsRead: 12, ratingsKept: 5, rowsRejected: 6, duplicates: 1 });
  });

  it('works without a header, and with named columns in any order', () => {
    const plain = importCsvJudgments('laptop,1,3\ntv,2,0\n');
    expect(plain.issues).toEqual([]);
    expect(plain.querySet.queries.map((q) => q.text)).toEqual(['laptop', 'tv']);
    const named = importCsvJudgments('grade,query,name,doc_id\n3,laptop,Some name,77\n', {});
    expect(named.querySet.queries).toEqual([
      { text: 'laptop', ratings: [{ docId: '77', rating: 3 }] },
    ]);
    const chosen = importCsvJudgments('query,docid,agent_1,final_rating\nlaptop,5,0,2\n', {
      columns: { rating: 'final_rating' },
    });
    expect(chosen.querySet.queries[0]?.ratings).toEqual([{ docId: '5', rating: 2 }]);
  });

  it('a header without a needed column is reported, not thrown', () => {
    const result = importCsvJudgments('query,docid,rating\nlaptop,1,2\n', {
      columns: { rating: 'final' },
    });
    expect(result.issues[0]?.message).toMatch(
      /line 1: header has no rating column \(looked for final/,
    );
    expect(result.querySet.queries).toEqual([]);
  });

  it('duplicate policy "first" and "max" keep the right rating', () => {
    const text = 'q,1,1\nq,1,3\nq,1,2\n';
    const pick = (duplicates: 'first' | 'max' | 'last') =>
      importCsvJudgments(text, { duplicates }).querySet.queries[0]?.ratings[0]?.rating;
    expect(pick('first')).toBe(1);
    expect(pick('max')).toBe(3);
    expect(pick('last')).toBe(2);
  });

  it('a configurable scale changes what is in range', () => {
    const result = importCsvJudgments('q,1,4\nq,2,0\n', { scale: { min: 1, max: 4 } });
    expect(issueSummary(result)).toEqual([['error', 'RATING_OUT_OF_SCALE', 2]]);
    expect(result.querySet.scale).toEqual({ min: 1, max: 4 });
    expect(() => parseScale({ min: 3, max: 1 })).toThrow(RwbError);
  });

  it('exports CSV that quotes what needs quoting', () => {
    const set = importCsvJudgments(readFixture('judgments-messy.csv')).querySet;
    expect(exportCsvJudgments(set)).toBe(
      'query,docid,rating\nlaptop,1001,2\nlaptop,1002,0\n"usb-c cable, 2m",2001,2\n"the ""boys"" dvd",3001,1\ntv,4002,1\n',
    );
  });
});

describe('RRE import', () => {
  it('reads nested topics/query_groups, both relevant_documents shapes, and reports bad entries', () => {
    const result = importRreJudgments(readFixture('ratings-rre-nested.json'));
    expect(result.querySet.index).toBe('basses');
    expect(result.querySet.queries).toEqual([
      {
        text: 'fender',
        ratings: [
          { docId: '1', rating: 3 },
          { docId: '2', rating: 2 },
        ],
      },
      {
        text: 'Fender jazz',
        ratings: [
          { docId: '1', rating: 3 },
          { docId: '2', rating: 2 },
        ],
      },
      {
        text: 'precision bass',
        ratings: [
          { docId: '12', rating: 0 },
          { docId: '10', rating: 3 },
          { docId: '11', rating: 3 },
        ],
      },
    ]);
    expect(issueSummary(result)).toEqual([
      ['error', 'NON_NUMERIC_RATING', 'topics[0].query_groups[1].queries[0].relevant_documents.x'],
      ['error', 'MISSING_FIELD', 'topics[0].query_groups[1].queries[1].placeholders'],
    ]);
  });

  it('a file that is not JSON is a PARSE_ERROR', () => {
    expect(() => importRreJudgments('{ nope')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
  });
});

describe('TREC qrels import', () => {
  it('maps qids to query text and reports malformed lines and unknown qids', () => {
    const { queries, issues: mapIssues } = parseQueryIdMap(readFixture('qrels-sample.queries.tsv'));
    expect(mapIssues).toEqual([]);
    const result = importTrecJudgments(readFixture('qrels-sample.txt'), { queryTexts: queries });
    expect(result.querySet.queries).toEqual([
      {
        text: 'laptop',
        id: '1',
        ratings: [
          { docId: '1001', rating: 3 },
          { docId: '1002', rating: 0 },
        ],
      },
      { text: 'usb-c cable, 2m', id: '2', ratings: [{ docId: '2001', rating: 2 }] },
      { text: '7', id: '7', ratings: [{ docId: '7001', rating: 1 }] },
    ]);
    expect(issueSummary(result)).toEqual([
      ['error', 'MISSING_FIELD', 5],
      ['error', 'NON_NUMERIC_RATING', 6],
      ['warning', 'UNKNOWN_QUERY_ID', 7],
    ]);
  });
});

describe('query set helpers', () => {
  const set = importCsvJudgments('laptop,1,3\nlaptop,2,0\nnetflix,3,0\ntv,9,1\n').querySet;

  it('finds rated doc ids the index does not have', () => {
    expect(findUnknownDocIds(set, new Set(['1', '2', '3']))).toEqual([{ query: 'tv', docId: '9' }]);
    expect(findUnknownDocIds(set, (id) => id !== '2')).toEqual([{ query: 'laptop', docId: '2' }]);
  });

  it('lists queries with only 0 ratings and gives ratings per query', () => {
    expect(queriesWithNoPositiveRating(set)).toEqual(['netflix']);
    expect(ratingsByQuery(set).get('laptop')).toEqual(
      new Map([
        ['1', 3],
        ['2', 0],
      ]),
    );
  });

  it('validates a stored query set and says where it is wrong', () => {
    const stored = { ...set, queries: [{ text: 'q', ratings: [{ docId: 'a', rating: 9 }] }] };
    expect(() => parseQuerySet(stored, 'store/sets/demo.json')).toThrow(
      /store\/sets\/demo.json is not a valid query set: queries.0.ratings.0: rating 9 outside scale 0–3/,
    );
    expect(parseQuerySet(JSON.parse(JSON.stringify(set)), 'copy')).toEqual(set);
  });

  it('assembles from raw rows with a name, tenant and index', () => {
    const result = assembleQuerySet([{ where: 'x', query: 'q', docId: 'd', rating: 1 }], {
      name: 'demo',
      tenant: 'acme',
      index: 'products',
    });
    expect(result.querySet).toMatchObject({
      schemaVersion: 1,
      name: 'demo',
      tenant: 'acme',
      index: 'products',
    });
  });

  it('detects the format from the file name or content', () => {
    expect(detectJudgmentFormat('j.csv')).toBe('csv');
    expect(detectJudgmentFormat('r.json')).toBe('rre');
    expect(detectJudgmentFormat('x.qrels')).toBe('trec');
    expect(detectJudgmentFormat('x.txt', '1 0 doc 3\n')).toBe('trec');
    expect(detectJudgmentFormat('x.txt', 'laptop,1,3\n')).toBe('csv');
  });
});
