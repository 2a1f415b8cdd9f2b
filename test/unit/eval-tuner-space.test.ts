import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import {
  formatConfigPath,
  getAtPath,
  parseConfigPath,
  setAtPath,
} from '../../engine/eval/tuner/config-path.ts';
import {
  applyParams,
  parseParameterSpace,
  parseParameterSpaceText,
  readBaseParams,
} from '../../engine/eval/tuner/space.ts';
import {
  decodePoint,
  dimensionsOf,
  encodeParams,
  paramsKey,
} from '../../engine/eval/tuner/space-codec.ts';
import { assignFolds } from '../../engine/eval/tuner/folds.ts';

const baseConfig = {
  name: 'base',
  domains: [
    {
      name: 'default',
      boost: 1,
      fields: [
        { field: 'title_en', boost: 3 },
        { field: 'title_en.keyword', boost: 1 },
      ],
    },
    { name: 'brand', boost: 1.5, fields: [{ field: 'vendor_en', boost: 1 }] },
  ],
  query: { knn: { k: 50, boost: 0.2 }, tieBreaker: 0.3 },
};

describe('config paths', () => {
  it('parses dotted, indexed and quoted segments and formats them back', () => {
    expect(parseConfigPath('domains.default.fields.title_en.boost')).toEqual([
      'domains',
      'default',
      'fields',
      'title_en',
      'boost',
    ]);
    const quoted = 'domains.default.fields["title_en.keyword"].boost';
    expect(parseConfigPath(quoted)).toEqual([
      'domains',
      'default',
      'fields',
      'title_en.keyword',
      'boost',
    ]);
    expect(formatConfigPath(parseConfigPath(quoted))).toBe(quoted);
    expect(parseConfigPath('domains[1].fields.0')).toEqual(['domains', 1, 'fields', 0]);
    expect(formatConfigPath(['domains', 1, 'boost'])).toBe('domains[1].boost');
    for (const bad of ['', 'a..b', 'a.', 'a[', 'a[]', 'a["x]']) {
      expect(() => parseConfigPath(bad), bad).toThrow(RwbError);
    }
  });

  it('finds array elements by name/field identity or position', () => {
    expect(getAtPath(baseConfig, 'domains.default.fields.title_en.boost')).toEqual({
      found: true,
      value: 3,
    });
    expect(getAtPath(baseConfig, 'domains.brand.fields[0].field')).toEqual({
      found: true,
      value: 'vendor_en',
    });
    expect(getAtPath(baseConfig, 'domains.default.fields["title_en.keyword"].boost')).toEqual({
      found: true,
      value: 1,
    });
    expect(getAtPath(baseConfig, 'domains.nope.boost')).toEqual({
      found: false,
      missingAt: 'domains.nope',
    });
  });

  it('updates immutably, sharing untouched branches, and creates missing object keys', () => {
    const frozen = structuredClone(baseConfig);
    const updated = setAtPath(baseConfig, 'domains.default.fields.title_en.boost', 7);
    expect(baseConfig).toEqual(frozen);
    expect(updated.domains[0]?.fields[0]?.boost).toBe(7);
    expect(updated.domains[1]).toBe(baseConfig.domains[1]);
    expect(updated.query).toBe(baseConfig.query);
    const created = setAtPath(baseConfig, 'query.rescore.windowSize', 20);
    expect(getAtPath(created, 'query.rescore.windowSize')).toEqual({ found: true, value: 20 });
    expect(() => setAtPath(baseConfig, 'domains.missing.boost', 2)).toThrow(
      /domains\.missing: no such element/,
    );
    expect(() => setAtPath(baseConfig, 'name.x', 2)).toThrow(/cannot descend into a string/);
  });

  it('refuses an ambiguous identity', () => {
    const twice = { items: [{ name: 'a' }, { name: 'a' }] };
    expect(() => getAtPath(twice, 'items.a')).toThrow(/2 elements have name "a"/);
  });
});

const spaceYaml = `
metric: ndcg@10
parameters:
  - path: domains.default.fields.title_en.boost
    name: title_boost
    type: float
    min: 0.5
    max: 20
    log: true
  - path: query.knn.k
    type: int
    min: 10
    max: 200
    step: 10
  - { path: query.tieBreaker, type: categorical, values: [0, 0.3, 0.7] }
  - { path: query.knn.enabled, type: bool, default: false }
  - { path: query.fuzziness, type: categorical, values: [AUTO, '0'] }
`;

describe('parameter space', () => {
  const space = parseParameterSpaceText(spaceYaml, 'space.yaml');

  it('loads YAML, defaulting names to paths', () => {
    expect(space.metric).toBe('ndcg@10');
    expect(space.parameters.map((p) => p.name)).toEqual([
      'title_boost',
      'query.knn.k',
      'query.tieBreaker',
      'query.knn.enabled',
      'query.fuzziness',
    ]);
    expect(dimensionsOf(space)).toEqual([
      { kind: 'continuous', levels: null },
      { kind: 'continuous', levels: 20 },
      { kind: 'categorical', size: 3 },
      { kind: 'categorical', size: 2 },
      { kind: 'categorical', size: 2 },
    ]);
  });

  it('reports YAML syntax errors with their line and schema errors with the parameter', () => {
    expect(() =>
      parseParameterSpaceText('parameters:\n  - path: a\n   type: [', 'bad.yaml'),
    ).toThrow(/bad\.yaml at line \d+, column \d+/);
    const invalid = {
      parameters: [
        { path: 'a.b', type: 'float', min: 5, max: 1 },
        { path: 'c', type: 'float', min: 0, max: 1, log: true },
        { path: 'a.b', type: 'int', min: 0, max: 3, step: 5 },
        { path: 'x', type: 'categorical', values: [1, 1] },
        { path: 'y..z', type: 'bool' },
        { path: 'q', type: 'float', min: 0, max: 1, boots: 2 },
      ],
    };
    let message = '';
    try {
      parseParameterSpace(invalid, 'space.yaml');
    } catch (err) {
      message = (err as RwbError).message;
    }
    expect(message).toContain('space.yaml');
    expect(message).toContain('parameters.0.min (a.b): min (5) must be below max (1)');
    expect(message).toContain('a log-scale parameter needs min > 0');
    expect(message).toContain('duplicate path "a.b"');
    expect(message).toContain('step 5 is larger than the range');
    expect(message).toContain('values must be distinct');
    expect(message).toContain('empty segment');
    expect(message).toMatch(/boots/);
  });

  it('decodes points with log scale, steps and categories, and encodes them back', () => {
    const low = decodePoint(space, [0, 0, 0, 0, 0]);
    expect(low).toEqual({
      title_boost: 0.5,
      'query.knn.k': 10,
      'query.tieBreaker': 0,
      'query.knn.enabled': false,
      'query.fuzziness': 'AUTO',
    });
    const high = decodePoint(space, [1, 1, 2, 1, 1]);
    expect(high).toMatchObject({ title_boost: 20, 'query.knn.k': 200, 'query.tieBreaker': 0.7 });
    // Log scale: the middle of [0.5, 20] is the geometric mean √10 ≈ 3.162.
    expect(decodePoint(space, [0.5, 0.5, 1, 1, 0]).title_boost).toBeCloseTo(Math.sqrt(10), 6);
    expect(decodePoint(space, [0.5, 0.52, 1, 1, 0])['query.knn.k']).toBe(110);
    expect(decodePoint(space, encodeParams(space, high))).toEqual(high);
    expect(paramsKey({ b: 1, a: 2 })).toBe(paramsKey({ a: 2, b: 1 }));
  });

  it('reads the base values (with defaults and warnings) and applies params immutably', () => {
    const outOfRange = setAtPath(baseConfig, 'query.knn.k', 500);
    const base = readBaseParams(outOfRange, space);
    expect(base.values).toEqual({
      title_boost: 3,
      'query.knn.k': 500,
      'query.tieBreaker': 0.3,
      'query.knn.enabled': false,
    });
    expect(base.missing).toEqual(['query.fuzziness']);
    expect(base.warnings.join()).toMatch(/500 lies outside 10–200/);
    const tuned = applyParams(baseConfig, space, { title_boost: 9, 'query.knn.k': 120 });
    expect(getAtPath(tuned, 'domains.default.fields.title_en.boost')).toEqual({
      found: true,
      value: 9,
    });
    expect(tuned.query.knn.k).toBe(120);
    expect(baseConfig.query.knn.k).toBe(50);
    expect(() => applyParams(baseConfig, space, { nope: 1 })).toThrow(/unknown parameter "nope"/);
    expect(() =>
      readBaseParams({ ...baseConfig, query: { ...baseConfig.query, tieBreaker: 'x' } }, space),
    ).not.toThrow();
    expect(() => readBaseParams(setAtPath(baseConfig, 'query.knn.k', 'many'), space)).toThrow(
      /not a number/,
    );
  });
});

describe('assignFolds', () => {
  const queries = Array.from({ length: 11 }, (_, i) => `q${i}`);

  it('deals queries into balanced, disjoint folds independent of input order', () => {
    const folds = assignFolds(queries, 3, 7);
    expect(folds.map((f) => f.validation.length).sort()).toEqual([3, 4, 4]);
    expect(folds.flatMap((f) => f.validation).sort()).toEqual([...queries].sort());
    for (const fold of folds) {
      expect(fold.train.length + fold.validation.length).toBe(11);
      expect(fold.train.some((q) => fold.validation.includes(q))).toBe(false);
    }
    expect(assignFolds([...queries].reverse(), 3, 7)).toEqual(folds);
    expect(assignFolds(queries, 3, 8)).not.toEqual(folds);
  });

  it('treats one fold as no cross-validation and rejects impossible splits', () => {
    expect(assignFolds(['b', 'a'], 1)).toEqual([{ index: 0, train: ['a', 'b'], validation: [] }]);
    expect(() => assignFolds(['a', 'b'], 3)).toThrow(/3 folds need at least 3 queries/);
    expect(() => assignFolds([], 2)).toThrow(/zero queries/);
  });
});
