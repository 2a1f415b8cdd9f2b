/**
 * The explain popover of a fused hit (ranking.fusion linear / rrf): the sub-search scores stay
 * in the bar, and a table says per list its score, rank, fused value, weight and share, with the
 * fused score as the total.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ExplainBar } from '../../renderer/components/ExplainBar.tsx';

describe('ExplainBar with fusion', () => {
  it('shows each list of an rrf fusion and the fused total', () => {
    const html = renderToStaticMarkup(
      createElement(ExplainBar, {
        breakdown: {
          total: 1 / 63 + 0.5 / 61,
          lexical: { total: 7.5, fields: { title_en: 6, brief_en: 1.5 } },
          knn: { text: 0.91, image: 0 },
          functions: 0,
          other: 0,
          fusion: {
            method: 'rrf',
            parts: [
              {
                source: 'lexical',
                weight: 1,
                score: 7.5,
                rank: 3,
                normalized: 1 / 63,
                contribution: 1 / 63,
              },
              {
                source: 'text_knn',
                weight: 0.5,
                score: 0.91,
                rank: 1,
                normalized: 1 / 61,
                contribution: 0.5 / 61,
              },
            ],
          },
        },
      }),
    );
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Reciprocal rank fusion of the sub-searches');
    expect(text).toMatch(/lexical search 7\.500 3 0\.0159 1 0\.0159/);
    expect(text).toMatch(/text kNN 0\.910 1 0\.0164 0\.5 0\.0082/);
    expect(text).toContain(`Fused score ${(1 / 63 + 0.5 / 61).toFixed(4)}`);
    expect(text).toContain('Sub-search scores 8.410');
  });

  it('says "not found" for a list that did not return the product, and has no table without fusion', () => {
    const base = {
      total: 0.4,
      lexical: { total: 0, fields: {} },
      knn: { text: 0.8, image: 0 },
      functions: 0,
      other: 0,
    };
    const fused = renderToStaticMarkup(
      createElement(ExplainBar, {
        breakdown: {
          ...base,
          fusion: {
            method: 'linear',
            parts: [
              {
                source: 'lexical',
                weight: 1,
                score: null,
                rank: null,
                normalized: 0,
                contribution: 0,
              },
              {
                source: 'text_knn',
                weight: 1,
                score: 0.8,
                rank: 2,
                normalized: 0.8,
                contribution: 0.4,
              },
            ],
          },
        },
      }),
    );
    expect(fused.replace(/<[^>]+>/g, ' ')).toMatch(/lexical search\s+—\s+not found/);
    expect(fused).toContain('Linear fusion');
    expect(renderToStaticMarkup(createElement(ExplainBar, { breakdown: base }))).not.toContain(
      'explain-fusion',
    );
  });
});
