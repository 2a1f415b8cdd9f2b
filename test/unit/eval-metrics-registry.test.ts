import { describe, expect, it } from 'vitest';
import { InvalidMetricParameterError, ratedRanking } from '../../engine/eval/metrics.ts';
import {
  metricRegistry,
  parseMetricName,
  resolveMetric,
} from '../../engine/eval/metrics-registry.ts';
import { evaluateQuery, summarize } from '../../engine/eval/metrics-summary.ts';

describe('metric names', () => {
  it('parses name@k into a canonical spec, case-insensitively and with aliases', () => {
    const spec = (name: string, kind: string, k: number | undefined) => ({
      name,
      base: name,
      kind,
      k,
      variant: 'value',
    });
    expect(parseMetricName('nDCG@10')).toEqual(spec('ndcg@10', 'ndcg', 10));
    expect(parseMetricName('P@5')).toEqual(spec('p@5', 'p', 5));
    expect(parseMetricName('precision@3')).toEqual(spec('p@3', 'p', 3));
    expect(parseMetricName('MRR')).toEqual(spec('mrr', 'mrr', undefined));
    expect(parseMetricName('map')).toEqual(spec('ap', 'ap', undefined));
    expect(parseMetricName('ERR@20').kind).toBe('err');
  });

  it('rejects unknown names, missing cutoffs and k = 0 with a typed error that says why', () => {
    expect(() => parseMetricName('ndcg@0')).toThrow(/cutoff k must be a positive integer, got "0"/);
    expect(() => parseMetricName('ndcg@ten')).toThrow(InvalidMetricParameterError);
    expect(() => parseMetricName('ndcg')).toThrow(/needs a cutoff, e.g. ndcg@10/);
    expect(() => parseMetricName('bleu@4')).toThrow(/unknown metric "bleu@4"/);
  });

  it('metricRegistry["ndcg@10"] resolves any cutoff and computes that metric', () => {
    const ranking = ratedRanking(['a', 'b'], { a: 0, b: 3 });
    const ndcg10 = metricRegistry['ndcg@10'];
    expect(ndcg10?.name).toBe('ndcg@10');
    // dcg = 7/log2 3; ideal (2 returned) = 7 + 0 → 1/log2 3 = 0.6309297535714574
    expect(ndcg10?.compute(ranking)).toBeCloseTo(0.6309297535714574, 12);
    expect(metricRegistry['p@1']?.compute(ranking)).toBe(0);
    expect(metricRegistry['ndcg@0']).toBeUndefined();
    expect('ndcg@3' in metricRegistry).toBe(true);
    expect('nope' in metricRegistry).toBe(false);
    expect(resolveMetric('NDCG@10')).toBe(resolveMetric('NDCG@10'));
  });
});

describe('evaluateQuery and summarize', () => {
  const metrics = ['ndcg@3', 'p@3', 'mrr', 'err@5'];

  it('scores a query and reports unrated@k for each cutoff used', () => {
    const scores = evaluateQuery(
      {
        query: 'laptop',
        hits: ['a', 'u1', 'b', 'u2'],
        ratings: new Map([
          ['a', 3],
          ['b', 1],
        ]),
      },
      metrics,
    );
    expect(Object.keys(scores.scores)).toEqual([
      'ndcg@3',
      'p@3',
      'mrr',
      'err@5',
      'ndcg@3:condensed',
      'ndcg@3:upper',
      'p@3:condensed',
      'p@3:upper',
      'mrr:condensed',
      'mrr:upper',
      'err@5:condensed',
      'err@5:upper',
      'unrated@3',
      'unrated@5',
    ]);
    // condensed top 3: a(3) b(1) → both relevant; upper: u1 at the top grade → 3 of 3
    expect(scores.scores['p@3:condensed']).toBe(1);
    expect(scores.scores['p@3:upper']).toBe(1);
    // top 3: a(3) u1 b(1) → 2 of 3 relevant
    expect(scores.scores['p@3']).toBeCloseTo(2 / 3, 12);
    expect(scores.scores['mrr']).toBe(1);
    expect(scores.scores['unrated@3']).toBe(1);
    expect(scores.scores['unrated@5']).toBe(2);
    expect(scores.unratedInRanking).toBe(2);
    expect(scores.excluded).toBeNull();
    // 7 + 1/log2 3 = 7.630929753571457
    expect(scores.judgedIdealDcg).toBeCloseTo(7.630929753571457, 12);
  });

  it('flags queries without positive judgments and leaves them out of the means', () => {
    const good = evaluateQuery(
      {
        query: 'tv',
        hits: ['a', 'b'],
        ratings: new Map([
          ['a', 3],
          ['b', 0],
        ]),
      },
      metrics,
    );
    const worse = evaluateQuery(
      {
        query: 'phone',
        hits: ['b', 'a'],
        ratings: new Map([
          ['a', 3],
          ['b', 0],
        ]),
      },
      metrics,
    );
    const zeros = evaluateQuery(
      { query: 'netflix', hits: ['a'], ratings: new Map([['a', 0]]) },
      metrics,
    );
    const unjudged = evaluateQuery({ query: 'stylus', hits: ['a'], ratings: new Map() }, metrics);
    expect(zeros.excluded).toBe('no-positive-ratings');
    expect(unjudged.excluded).toBe('no-judgments');

    const summary = summarize([good, worse, zeros, unjudged]);
    expect(summary.totalQueries).toBe(4);
    expect(summary.validQueries).toBe(2);
    expect(summary.excluded).toEqual([
      { query: 'netflix', reason: 'no-positive-ratings' },
      { query: 'stylus', reason: 'no-judgments' },
    ]);
    // good: mrr 1; worse: a at rank 2 → 1/2; mean 0.75 (the two zero queries would make it 0.375)
    expect(summary.means['mrr']).toBeCloseTo(0.75, 12);
    // ndcg@3: good 1; worse (7/log2 3) / 7 = 0.6309297535714574 → mean 0.8154648767857287
    expect(summary.means['ndcg@3']).toBeCloseTo(0.8154648767857287, 12);
  });

  it('a mean is null when no query counts', () => {
    const zeros = evaluateQuery({ query: 'netflix', hits: ['a'], ratings: new Map([['a', 0]]) }, [
      'ndcg@10',
    ]);
    const summary = summarize([zeros]);
    expect(summary.means['ndcg@10']).toBeNull();
    expect(summary.validQueries).toBe(0);
  });
});
