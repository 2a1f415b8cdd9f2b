/**
 * The bundle's ES search template renders (with the mustache subset ES uses for JSON templates)
 * to exactly the request the query builder makes for the same default-domain query, so it cannot
 * drift from the builder. lang-mustache is missing from the embedded ES runtime, so this is
 * checked by rendering here rather than on the cluster.
 */
import { describe, expect, it } from 'vitest';
import { buildSearchTemplate, renderSearchTemplate } from '../../engine/config/bundle.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import type { ParsedQuery } from '../../engine/query/query-parser.ts';
import { planSearch } from '../../engine/search/build-request.ts';
import { resolveSearchRequest } from '../../engine/search/request.ts';

function config(textEmbedding: boolean): SearchConfig {
  const base = defaultSearchConfig();
  return parseSearchConfig({
    ...base,
    query: {
      ...base.query,
      textEmbedding: { ...base.query.textEmbedding, enabled: textEmbedding },
    },
    ranking: {
      ...base.ranking,
      functions: base.ranking.functions.map((fn) => ({ ...fn, enabled: true })),
      fuzziness: 'AUTO',
    },
  });
}

/** What the parser would give for a default-domain text in an undetected language with translations. */
function parsedQuery(
  text: string,
  translations: Record<string, string>,
  vector?: Float32Array,
): ParsedQuery {
  const language = { language: 'und', confidence: 0, method: 'default' as const };
  const parsed: ParsedQuery = {
    original: text,
    rewritten: { query: text, applied: [] },
    ast: {
      kind: 'term',
      domain: 'default',
      text,
      phrase: false,
      span: { start: 0, end: text.length },
    },
    language,
    terms: [{ domain: 'default', text, phrase: false, negated: false, language, translations }],
    defaultText: text,
    translations,
    warnings: [],
    timings: { rewriteMs: 0, parseMs: 0, detectMs: 0, translateMs: 0, embedMs: 0, totalMs: 0 },
  };
  if (vector !== undefined) parsed.vector = vector;
  return parsed;
}

function builderBody(
  cfg: SearchConfig,
  tenantId: string,
  text: string,
  translations: Record<string, string>,
  size: number,
  from: number,
  vector?: Float32Array,
) {
  const resolved = resolveSearchRequest({ tenantId, query: text, size, from }, cfg);
  return planSearch(parsedQuery(text, translations, vector), resolved, cfg).request;
}

describe('bundle search template', () => {
  it('renders to the builder request, translations and vector included', () => {
    const cfg = config(true);
    const template = buildSearchTemplate(cfg);
    const vector = Float32Array.from([0.1, -0.25, 0.5, 0.8]);
    const translations = { zh: '蓝牙 耳机', en: 'bluetooth headphones' };
    const rendered = renderSearchTemplate(template.source, {
      query_string: 'Bluetooth 耳机',
      query_zh: translations.zh,
      query_en: translations.en,
      tenant_id: 'shop-7',
      from: 20,
      size: 10,
      query_vector: Array.from(vector),
    });
    expect(JSON.parse(rendered)).toEqual(
      builderBody(cfg, 'shop-7', 'Bluetooth 耳机', translations, 10, 20, vector),
    );
  });

  it('searches every language with the query as typed when no translation is given', () => {
    const cfg = config(false);
    const template = buildSearchTemplate(cfg);
    const query = 'he said "wireless" \\ path';
    const rendered = renderSearchTemplate(template.source, {
      query_string: query,
      tenant_id: '1',
      from: 0,
      size: 20,
    });
    const body = JSON.parse(rendered);
    // The builder would merge fields that get the same text into one multi_match; the template
    // keeps one per language, each falling back to the typed query.
    const expected = JSON.stringify(
      builderBody(cfg, '1', query, { zh: 'ZH-TEXT', en: 'EN-TEXT' }, 20, 0),
    )
      .split('"ZH-TEXT"')
      .join(JSON.stringify(query))
      .split('"EN-TEXT"')
      .join(JSON.stringify(query));
    expect(body).toEqual(JSON.parse(expected));
    expect(body.knn).toBeUndefined();
    expect(JSON.stringify(body)).toContain(JSON.stringify(query));
  });

  it('always filters by the tenant param, in the query and in kNN', () => {
    const template = buildSearchTemplate(config(true));
    const body = JSON.parse(
      renderSearchTemplate(template.source, {
        query_string: 'x',
        tenant_id: 'A',
        from: 0,
        size: 5,
        query_vector: [1],
      }),
    );
    expect(body.query.bool.filter[0]).toEqual({ term: { tenant_id: 'A' } });
    expect(body.knn[0].filter[0]).toEqual({ term: { tenant_id: 'A' } });
    // A tenant value cannot break out of its JSON string.
    const hostile = JSON.parse(
      renderSearchTemplate(template.source, {
        query_string: 'x',
        tenant_id: 'A"}},{"match_all":{',
        from: 0,
        size: 5,
        query_vector: [1],
      }),
    );
    expect(hostile.query.bool.filter[0]).toEqual({ term: { tenant_id: 'A"}},{"match_all":{' } });
  });

  it('documents its params and limits', () => {
    const template = buildSearchTemplate(config(true), { id: 'shop-search' });
    expect(template.id).toBe('shop-search');
    expect(template.params.query_vector).toEqual({
      required: true,
      description: expect.stringContaining('bge-small-zh-v15-q'),
    });
    expect(template.params.query_en?.required).toBe(false);
    expect(template.notes.join(' ')).toMatch(/lang-mustache/);
    expect(template.notes.join(' ')).toMatch(/kNN k is fixed at 50/);
  });

  describe('renders to the builder request for every text match type, with proximity', () => {
    const types = [
      'best_fields',
      'most_fields',
      'cross_fields',
      'combined_fields',
      'phrase',
      'phrase_prefix',
      'bool_prefix',
    ] as const;
    const refusesFuzziness = new Set([
      'cross_fields',
      'combined_fields',
      'phrase',
      'phrase_prefix',
    ]);
    for (const type of types) {
      for (const proximity of [false, true]) {
        it(`${type}${proximity ? ' + proximity' : ''}`, () => {
          const base = config(true);
          const domains = structuredClone(base.domains);
          const domain = domains.find((d) => d.name === 'default')!;
          domain.type = type;
          if (refusesFuzziness.has(type)) domain.fuzziness = null;
          if (type === 'phrase' || type === 'phrase_prefix') domain.slop = 1;
          else domain.minimumShouldMatch = '2<70%';
          if (proximity)
            domain.proximity = {
              enabled: true,
              fields: ['title_en', 'title_zh'],
              slop: 3,
              boost: 1.5,
            };
          const cfg = parseSearchConfig({ ...base, domains });
          const template = buildSearchTemplate(cfg);
          const vector = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
          const translations = { zh: '无线 鼠标', en: 'wireless mouse' };
          const rendered = JSON.parse(
            renderSearchTemplate(template.source, {
              query_string: 'wireless 鼠标',
              query_zh: translations.zh,
              query_en: translations.en,
              tenant_id: 't1',
              from: 0,
              size: 10,
              query_vector: Array.from(vector),
            }),
          );
          const expected = builderBody(cfg, 't1', 'wireless 鼠标', translations, 10, 0, vector);
          expect(rendered).toEqual(expected);
          const text = JSON.stringify(expected);
          if (type === 'combined_fields') expect(text).toContain('"combined_fields"');
          else expect(text).toContain(`"type":"${type}"`);
          expect(text.includes('"slop":3')).toBe(proximity);
        });
      }
    }
  });
});
