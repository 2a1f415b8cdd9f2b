/**
 * Each text match type and the proximity boost on a real Elasticsearch (RWB_ES_URL), on a small
 * index made for the purpose (the real mapping, a dozen hand-written products): every type
 * returns what its definition says, ES accepts every parameter the builder sends for it, the
 * proximity boost reorders without adding or removing a document under AND / OR / RANK / ANDNOT,
 * and the explain split (lexical per field) adds up for every type.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
  type TextMatchType,
} from '../../engine/config/search-config.ts';
import { exportBundle } from '../../engine/config/bundle.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { searchFieldsFromMapping, type SearchFieldCatalog } from '../../engine/search/fields.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';
import { search } from '../../engine/search/searcher.ts';
import { SearchService } from '../../engine/serve/search-service.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const TYPES: TextMatchType[] = [
  'best_fields',
  'most_fields',
  'cross_fields',
  'combined_fields',
  'phrase',
  'phrase_prefix',
  'bool_prefix',
];

/** id → [title_en, brief_en, tags]. */
const PRODUCTS: Record<string, [string, string, string[]]> = {
  adjacent: ['red wireless mouse', 'compact and light', ['mouse']],
  reversed: ['mouse wireless red', 'compact and light', []],
  gap: ['wireless optical mouse', 'for travel', []],
  split: ['ergonomic chair', 'with keyboard tray', []],
  together: ['ergonomic keyboard', 'split layout', []],
  keyboardOnly: ['mechanical keyboard', 'tenkeyless', []],
  far: ['mouse wireless', 'desk set', []],
  monitor: ['curved monitor', 'wide screen', ['display']],
  cable: ['usb cable', 'braided', []],
  mousepad: ['mousepad xl', 'cloth', []],
};

describeWith([missingEs], 'text match types on a real Elasticsearch', () => {
  const index = `rwb_test_text_types_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let fields: SearchFieldCatalog;

  /** The default config searching title_en, brief_en and tags, the default domain changed by `change`. */
  function config(change: (d: SearchConfig['domains'][number]) => void = () => {}): SearchConfig {
    const base = defaultSearchConfig();
    const domain: SearchConfig['domains'][number] = {
      name: 'default',
      label: 'default',
      boost: 1,
      type: 'best_fields',
      operator: 'or',
      fields: [
        { field: 'title_en', boost: 2 },
        { field: 'brief_en', boost: 1 },
        { field: 'tags', boost: 1 },
      ],
      languageFieldMapping: { en: ['title_en', 'brief_en'] },
    };
    change(domain);
    return parseSearchConfig({
      ...base,
      domains: [domain],
      query: { ...base.query, rewrite: { enabled: false, dictionary: {} } },
      ranking: { ...base.ranking, expression: 'bm25()', functions: [] },
    });
  }

  const run = (query: string, cfg: SearchConfig, explain = false): Promise<SearchResponse> =>
    search(client, index, { tenantId: 'T', query, size: 50, facets: [], explain }, cfg, {
      languageDetector: null,
      url: esUrl(),
      fields,
    });
  const ids = (response: SearchResponse): string[] => response.results.map((r) => r.spu_id);
  const sorted = (response: SearchResponse): string[] => ids(response).sort();

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, url: esUrl() });
    const operations = Object.entries(PRODUCTS).flatMap(([id, [title, brief, tags]]) => [
      { index: { _index: index, _id: id } },
      {
        tenant_id: 'T',
        spu_id: id,
        title_en: title,
        brief_en: brief,
        tags,
        create_time: '2024-01-01T00:00:00Z',
        total_inventory: 1,
      },
    ]);
    const bulk = await client.bulk({ operations, refresh: true });
    expect(bulk.errors).toBe(false);
    const mapping = await client.indices.getMapping({ index });
    fields = searchFieldsFromMapping(Object.values(mapping)[0]!);
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('phrase matches the words in order and adjacent; slop lets them stand apart', async () => {
    expect(
      sorted(
        await run(
          'wireless mouse',
          config((d) => (d.type = 'phrase')),
        ),
      ),
    ).toEqual(['adjacent']);
    const slop1 = config((d) => ((d.type = 'phrase'), (d.slop = 1)));
    expect(sorted(await run('wireless mouse', slop1))).toEqual(['adjacent', 'gap']);
    // best_fields matches any of the words, in any order.
    expect(sorted(await run('wireless mouse', config()))).toEqual(
      ['adjacent', 'far', 'gap', 'reversed'].sort(),
    );
  });

  it('phrase_prefix and bool_prefix take the last word as a prefix; best_fields does not', async () => {
    expect(
      sorted(
        await run(
          'wireless mou',
          config((d) => (d.type = 'phrase_prefix')),
        ),
      ),
    ).toEqual(['adjacent']);
    const boolPrefix = config((d) => ((d.type = 'bool_prefix'), (d.operator = 'and')));
    // wireless AND mou*: mouse and mousepad both start with "mou".
    expect(sorted(await run('wireless mou', boolPrefix))).toEqual(
      ['adjacent', 'far', 'gap', 'reversed'].sort(),
    );
    expect(sorted(await run('mou', boolPrefix))).toEqual(
      ['adjacent', 'far', 'gap', 'mousepad', 'reversed'].sort(),
    );
    expect(
      ids(
        await run(
          'mou',
          config((d) => (d.operator = 'and')),
        ),
      ),
    ).toEqual([]);
  });

  it('combined_fields and cross_fields match words split across title and brief; best_fields with and does not', async () => {
    const query = 'ergonomic keyboard';
    const best = await run(
      query,
      config((d) => (d.operator = 'and')),
    );
    expect(sorted(best)).toEqual(['together']);
    for (const type of ['combined_fields', 'cross_fields'] as const) {
      const found = await run(
        query,
        config((d) => ((d.type = type), (d.operator = 'and'))),
      );
      expect(sorted(found), type).toEqual(['split', 'together']);
    }
    const combined = await run(
      query,
      config((d) => (d.type = 'combined_fields')),
    );
    expect(combined.results.find((r) => r.spu_id === 'split')!.relevance_score).toBeGreaterThan(0);
    expect(sorted(combined)).toEqual(['keyboardOnly', 'split', 'together']);
  });

  it('most_fields adds the fields up where best_fields keeps the best one', async () => {
    const best = await run('mouse', config());
    const most = await run(
      'mouse',
      config((d) => (d.type = 'most_fields')),
    );
    const score = (r: SearchResponse, id: string) =>
      r.results.find((x) => x.spu_id === id)!.relevance_score!;
    // "adjacent" has mouse in title_en and in tags: most_fields counts both.
    expect(score(most, 'adjacent')).toBeGreaterThan(score(best, 'adjacent') + 1e-6);
    expect(score(most, 'gap')).toBeCloseTo(score(best, 'gap'), 5);
  });

  it('operator and: every word (per field, or across fields for cross/combined_fields)', async () => {
    for (const type of ['best_fields', 'most_fields', 'bool_prefix'] as const) {
      const found = await run(
        'red mouse',
        config((d) => ((d.type = type), (d.operator = 'and'))),
      );
      expect(sorted(found), type).toEqual(['adjacent', 'reversed']);
    }
  });

  it('minimum_should_match: none sent by default (any word), a domain value narrows', async () => {
    const any = await run('keyboard chair cable', config());
    expect(sorted(any)).toEqual(['cable', 'keyboardOnly', 'split', 'together'].sort());
    const two = await run(
      'keyboard chair cable',
      config((d) => (d.minimumShouldMatch = '2')),
    );
    expect(sorted(two)).toEqual([]);
    const twoCombined = await run(
      'keyboard chair cable',
      config((d) => ((d.type = 'combined_fields'), (d.minimumShouldMatch = '2'))),
    );
    expect(sorted(twoCombined)).toEqual(['split']);
  });

  it('ES accepts every parameter the builder sends for each type (with a keyword field in the domain)', async () => {
    for (const type of TYPES) {
      const cfg = config((d) => {
        d.type = type;
        if (type === 'phrase' || type === 'phrase_prefix') d.slop = 1;
        else d.minimumShouldMatch = '1';
        if (type === 'best_fields' || type === 'cross_fields') d.tieBreaker = 0.3;
        if (type === 'best_fields' || type === 'most_fields' || type === 'bool_prefix')
          d.fuzziness = 'AUTO';
        d.proximity = { enabled: true, fields: ['title_en'], slop: 2, boost: 1.5 };
      });
      const response = await run('wireless mouse', cfg, true);
      expect(response.results.length, type).toBeGreaterThan(0);
    }
  });

  it('proximity reorders and never adds or removes a document, under AND, OR, RANK and ANDNOT', async () => {
    const plain = config();
    const near = config((d) => (d.proximity = { enabled: true, fields: [], slop: 0, boost: 20 }));
    for (const query of [
      'wireless mouse',
      'wireless mouse AND compact',
      'wireless mouse OR ergonomic keyboard',
      'wireless mouse RANK red',
      'wireless mouse ANDNOT charger',
      '(wireless mouse OR usb cable) ANDNOT red wireless',
    ]) {
      const before = await run(query, plain);
      const after = await run(query, near);
      expect(sorted(after), query).toEqual(sorted(before));
      expect(after.total, query).toBe(before.total);
    }
    const before = await run('wireless mouse', plain);
    const after = await run('wireless mouse', near);
    // Without it, the shortest title with both words wins (reversed); with it, the in-order phrase does.
    expect(ids(before)[0]).toBe('far');
    expect(ids(after)[0]).toBe('adjacent');
  });

  it('explains every type and the proximity clause as lexical per field, adding up to the score', async () => {
    const domainFields = new Set(['title_en', 'brief_en', 'tags']);
    for (const type of TYPES) {
      for (const proximity of [false, true]) {
        const cfg = config((d) => {
          d.type = type;
          if (proximity) d.proximity = { enabled: true, fields: [], slop: 1, boost: 3 };
        });
        const query = type.endsWith('_prefix') ? 'wireless mou' : 'wireless mouse';
        const response = await run(query, cfg, true);
        const label = `${type}${proximity ? ' + proximity' : ''}`;
        expect(response.results.length, label).toBeGreaterThan(0);
        for (const result of response.results) {
          const parts = result.explain!;
          expect(parts.total, label).toBeCloseTo(result.relevance_score!, 4);
          expect(parts.other, label).toBe(0);
          expect(parts.functions, label).toBe(0);
          expect(parts.lexical.total, label).toBeCloseTo(result.relevance_score!, 4);
          const fieldSum = Object.values(parts.lexical.fields).reduce((a, b) => a + b, 0);
          expect(fieldSum, label).toBeCloseTo(parts.lexical.total, 4);
          for (const key of Object.keys(parts.lexical.fields)) {
            for (const field of key.split('+'))
              expect(domainFields.has(field), `${label} ${key}`).toBe(true);
          }
        }
      }
    }
    // combined_fields cannot be split per field: its part names the fields it combined.
    const combined = await run(
      'wireless mouse',
      config((d) => (d.type = 'combined_fields')),
      true,
    );
    const keys = combined.results.flatMap((r) => Object.keys(r.explain!.lexical.fields));
    expect(keys.some((key) => key.includes('+'))).toBe(true);
  });

  it('rwb serve (a bundle exported from this index) answers exactly as the workbench for every type', async () => {
    for (const type of TYPES) {
      const cfg = config((d) => {
        d.type = type;
        d.proximity = { enabled: true, fields: ['title_en'], slop: 1, boost: 2 };
      });
      const bundle = await exportBundle({ config: cfg, index, client, url: esUrl() });
      const service = await SearchService.create({
        bundle,
        es: { url: esUrl() },
        embedder: null,
        imageEncoder: null,
        translator: null,
      });
      try {
        for (const query of ['wireless mouse', 'ergonomic keyboard', 'wireless mou']) {
          const served = await service.search('T', { query, size: 50, facets: [] });
          const workbench = await search(
            client,
            index,
            { tenantId: 'T', query, size: 50, facets: [] },
            cfg,
            { url: esUrl(), fields: service.fields },
          );
          const pairs = (r: SearchResponse) => r.results.map((x) => [x.spu_id, x.relevance_score]);
          expect(pairs(served), `${type}: ${query}`).toEqual(pairs(workbench));
          expect(served.total).toBe(workbench.total);
        }
      } finally {
        await service.close();
      }
    }
  });
});
