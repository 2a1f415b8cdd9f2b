/**
 * Judgments and tuner paths keyed by user text: JS built-in names as query texts, doc ids, RRE
 * placeholders and config path segments are plain data (or INVALID_INPUT), never an inherited
 * member, and nothing pollutes Object.prototype. Judgment files with a UTF-8 BOM import.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { importJudgments } from '../../engine/eval/judgments-io.ts';
import { resolveMetric } from '../../engine/eval/metrics-registry.ts';
import { RwbError } from '../../engine/errors.ts';
import { getAtPath, parseConfigPath, setAtPath } from '../../engine/eval/tuner/config-path.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { BUILT_IN_NAMES } from './hostile-names.ts';

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

const ratingsOf = (result: ReturnType<typeof importJudgments>): string[] =>
  result.querySet.queries.flatMap((q) => q.ratings.map((r) => `${q.text}|${r.docId}|${r.rating}`));

describe('judgments keyed by built-in names', () => {
  it('CSV query texts and doc ids are data', () => {
    const rows = BUILT_IN_NAMES.map((name, i) => `${name},${name},${i % 4}`).join('\n');
    const result = importJudgments(`query,doc_id,rating\n${rows}\n`, 'csv');
    expect(ratingsOf(result)).toEqual(BUILT_IN_NAMES.map((name, i) => `${name}|${name}|${i % 4}`));
    expect(result.stats.rowsRejected).toBe(0);
  });

  it('RRE doc ids as keys, grade keys and placeholders are data', () => {
    const queries = BUILT_IN_NAMES.map((name) => ({
      placeholders: { $query: name },
      relevant_documents: JSON.parse(`{${JSON.stringify(name)}: {"gain": 2}, "3": ["${name}-x"]}`),
    }));
    const result = importJudgments(JSON.stringify({ queries }), 'rre');
    expect(ratingsOf(result)).toEqual(
      BUILT_IN_NAMES.flatMap((name) => [`${name}|${name}-x|3`, `${name}|${name}|2`]),
    );
  });

  it('an RRE placeholder named like a built-in is looked up as an own key only', () => {
    const text = JSON.stringify({
      query_placeholder: 'constructor',
      queries: [{ placeholders: { q: 'phone', other: 'x' }, relevant_documents: { '1': ['d'] } }],
    });
    const result = importJudgments(text, 'rre');
    // "q" is the fallback placeholder: the inherited `constructor` is never taken as the text.
    expect(ratingsOf(result)).toEqual(['phone|d|1']);
  });

  it.each([
    [
      'rre',
      JSON.stringify({
        queries: [{ placeholders: { $query: 'a' }, relevant_documents: { '2': ['d1'] } }],
      }),
    ],
    ['csv', 'query,doc_id,rating\na,d1,2\n'],
    ['trec', 'a 0 d1 2\n'],
  ] as const)('%s with a UTF-8 BOM imports', (format, text) => {
    const result = importJudgments(`\uFEFF${text}`, format, {
      queryTexts: new Map([['a', 'a']]),
    });
    expect(ratingsOf(result)).toEqual(['a|d1|2']);
  });
});

describe('tuner config paths', () => {
  it('a __proto__ segment is INVALID_INPUT, as text or as segments', () => {
    for (const path of ['a.__proto__.b', '__proto__.polluted', 'query["__proto__"]']) {
      expect(() => parseConfigPath(path), path).toThrow(/"__proto__" is not a config key/);
    }
    expect(() => setAtPath({}, ['__proto__', 'polluted'], 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => getAtPath({}, ['__proto__'])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('inherited names are missing keys, not the members of Object.prototype', () => {
    const config = defaultSearchConfig();
    for (const name of BUILT_IN_NAMES.filter((n) => n !== '__proto__')) {
      expect(getAtPath(config, `query.${name}`).found, name).toBe(false);
      const updated = setAtPath(config, `query.${name}.polluted`, 1) as unknown as {
        query: Record<string, unknown>;
      };
      expect(Object.hasOwn(updated.query, name)).toBe(true);
      expect(updated.query[name]).toEqual({ polluted: 1 });
    }
  });

  it('a domain named like a built-in is found by its name', () => {
    const config = defaultSearchConfig();
    config.domains[0]!.name = 'constructor';
    const updated = setAtPath(config, 'domains.constructor.boost', 7);
    expect(updated.domains[0]!.boost).toBe(7);
    expect(getAtPath(updated, 'domains.constructor.boost')).toEqual({ found: true, value: 7 });
  });
});

describe('metric names', () => {
  it('built-in names are unknown metrics (INVALID_INPUT), never an inherited alias', () => {
    for (const name of BUILT_IN_NAMES) {
      for (const asked of [name, `${name}@10`]) {
        let error: unknown;
        try {
          resolveMetric(asked);
        } catch (err) {
          error = err;
        }
        expect(error, asked).toBeInstanceOf(RwbError);
        expect((error as RwbError).code, asked).toBe('INVALID_INPUT');
      }
    }
  });
});

describe('config diffs and score history', () => {
  it('a rewrite key named like a built-in on one side only is added or removed', async () => {
    const { diffConfigs } = await import('../../engine/eval/experiments-diff.ts');
    const a = { query: { rewrite: { dictionary: { toString: 'x', constructor: 'y' } } } };
    const b = { query: { rewrite: { dictionary: {} } } };
    expect(diffConfigs(a, b).map((c) => `${c.kind} ${c.path}`)).toEqual([
      'removed query.rewrite.dictionary.constructor',
      'removed query.rewrite.dictionary.toString',
    ]);
    expect(diffConfigs(b, a).map((c) => c.kind)).toEqual(['added', 'added']);
  });

  it('a metric named like a built-in has no history', async () => {
    const { scoreHistory } = await import('../../engine/eval/experiments-history.ts');
    const run = {
      id: 'r1',
      kind: 'eval',
      createdAt: '2024-01-01T00:00:00Z',
      revisionId: 'rev',
      means: { 'ndcg@10': 0.5 },
      annotations: [],
    } as unknown as Parameters<typeof scoreHistory>[0][number];
    expect(scoreHistory([run], [], 'constructor')).toEqual([]);
    expect(scoreHistory([run], [], 'ndcg@10').map((p) => p.value)).toEqual([0.5]);
  });
});
