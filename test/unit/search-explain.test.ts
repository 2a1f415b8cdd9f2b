/**
 * Explain breakdown on explanation trees recorded from ES 8.19 (values and descriptions as ES
 * returned them; BM25 leaf internals trimmed). The live test checks the same on fresh output.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { scoreBreakdown } from '../../engine/search/explain.ts';

function n(
  value: number,
  description: string,
  ...details: estypes.ExplainExplanationDetail[]
): estypes.ExplainExplanation {
  return { value, description, details };
}

const requiredClause = (what: string) =>
  n(0, 'match on required clause, product of:', n(0, '# clause'), n(1, what));

/** Text query (best_fields, tie 0.3) in a multiply function_score, an additive decay, text kNN. */
const HYBRID = n(
  21.363603,
  'sum of:',
  n(
    21.363603,
    'sum of:',
    n(
      21.1788,
      'sum of:',
      n(
        20.8288,
        'function score, product of:',
        n(
          8.77774,
          'max plus 0.3 times others of:',
          n(
            3.9398,
            'sum of:',
            n(3.9398, 'weight(brief_zh:机 in 6) [PerFieldSimilarity], result of:'),
          ),
          n(
            7.5958,
            'sum of:',
            n(7.5958, 'weight(title_zh:机 in 6) [PerFieldSimilarity], result of:'),
          ),
        ),
        n(
          2.3729,
          'min of:',
          n(
            2.3729,
            'function score, score mode [sum]',
            n(0, 'product of:', n(0, 'Function for field create_time:'), n(1, 'weight')),
            n(
              2.3729,
              'product of:',
              n(
                2.3729,
                "field value function: log1p(doc['total_inventory'].value?:0.0 * factor=1.0)",
              ),
              n(1, 'weight'),
            ),
          ),
          n(3.4028235e38, 'maxBoost'),
        ),
      ),
      n(
        0.35,
        'min of:',
        n(0.35, 'product of:', n(1.1666, 'Function for field create_time:'), n(0.3, 'weight')),
        n(3.4028235e38, 'maxBoost'),
      ),
      requiredClause('tenant_id:A'),
    ),
    n(0.184803, 'within top k documents'),
  ),
  requiredClause('FieldExistsQuery [field=_primary_term]'),
);

/** Nested kNN on image_embedding.vector only. */
const IMAGE = n(
  0.48329142,
  'sum of:',
  n(
    0.48329142,
    'sum of:',
    n(
      0.48329142,
      'Score based on 1 child docs in range from 331 to 361, using score mode Max',
      n(
        0.48329142,
        'sum of:',
        n(0.48329142, 'within top k documents'),
        requiredClause('_nested_path:image_embedding'),
      ),
    ),
  ),
  requiredClause('FieldExistsQuery [field=_primary_term]'),
);

function partsSum(b: ReturnType<typeof scoreBreakdown>): number {
  return b.lexical.total + b.knn.text + b.knn.image + b.functions + b.other;
}

describe('scoreBreakdown', () => {
  it('splits a hybrid score into per-field BM25, function and kNN parts', () => {
    const breakdown = scoreBreakdown(HYBRID);
    // dis_max: the best field counts fully, the other × tie_breaker 0.3.
    expect(breakdown.lexical.fields).toEqual({ title_zh: 7.5958, brief_zh: 1.18194 });
    expect(breakdown.lexical.total).toBeCloseTo(8.77774, 5);
    // multiply: what the functions added on top of the text score, plus the additive decay.
    expect(breakdown.functions).toBeCloseTo(20.8288 - 8.77774 + 0.35, 4);
    expect(breakdown.knn).toEqual({ text: 0.184803, image: 0 });
    expect(breakdown.other).toBe(0);
    expect(partsSum(breakdown)).toBeCloseTo(breakdown.total, 4);
    expect(breakdown.total).toBe(21.363603);
  });

  it('attributes kNN under a nested "Score based on child docs" node to the image', () => {
    const breakdown = scoreBreakdown(IMAGE);
    expect(breakdown.knn).toEqual({ text: 0, image: 0.483291 });
    expect(breakdown.lexical.total).toBe(0);
  });

  it('keeps only the best clause of "max of:" and calls match_all "other"', () => {
    const breakdown = scoreBreakdown(
      n(
        5,
        'max of:',
        n(5, 'sum of:', n(2, 'weight(title_en:red in 1)'), n(3, 'weight(title_en:shoe in 1)')),
        n(4, 'weight(brief_en:red in 1)'),
      ),
    );
    expect(breakdown.lexical.fields).toEqual({ title_en: 5 });
    expect(scoreBreakdown(n(1, '*:*')).other).toBe(1);
  });

  it('reads phrase and synonym leaves by field', () => {
    const breakdown = scoreBreakdown(
      n(
        3,
        'sum of:',
        n(1, 'weight(title_zh:"蓝 牙" in 3) [PerFieldSimilarity]'),
        n(2, 'weight(Synonym(title_en:a title_en:b) in 3)'),
      ),
    );
    expect(breakdown.lexical.fields).toEqual({ title_en: 2, title_zh: 1 });
  });

  it('with boost_mode sum, the function part is the added function score', () => {
    const breakdown = scoreBreakdown(
      n(
        4,
        'sum of',
        n(3, 'weight(title_zh:耳 in 0)'),
        n(1, 'min of:', n(1, 'Function for field create_time:'), n(3.4e38, 'maxBoost')),
      ),
    );
    expect(breakdown).toMatchObject({ functions: 1, lexical: { total: 3 } });
  });

  it('scales the children of an unknown combination to the node value', () => {
    const breakdown = scoreBreakdown(
      n(
        6,
        'some future combination',
        n(1, 'weight(title_zh:a in 0)'),
        n(2, 'within top k documents'),
      ),
    );
    expect(breakdown.lexical.fields).toEqual({ title_zh: 2 });
    expect(breakdown.knn.text).toBe(4);
  });
});
