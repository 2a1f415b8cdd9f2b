/**
 * JS built-in names (`toString`, `__proto__`, …) in every name position of a search request: each
 * request either builds or fails with INVALID_INPUT / PARSE_ERROR naming the place, never another
 * error (a TypeError from an inherited Object.prototype member was a 500), and nothing pollutes
 * Object.prototype.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { BUILT_IN_NAMES } from './hostile-names.ts';
import { prepare } from './search-fixtures.ts';

/** Builds the request from JSON text so `__proto__` is an own key, as it is on the wire. */
const fromJson = (text: string): Record<string, unknown> =>
  JSON.parse(text) as Record<string, unknown>;

function requestsNaming(name: string): Array<{ label: string; request: Record<string, unknown> }> {
  const key = JSON.stringify(name);
  return [
    { label: 'facet', request: { facets: [name] } },
    { label: 'facet object', request: { facets: [{ field: name }] } },
    { label: 'range facet', request: { facets: [{ field: name, ranges: [{ key: 'a', to: 1 }] }] } },
    { label: 'spec facet', request: { facets: [`specifications.${name}`] } },
    { label: 'term filter', request: { filters: fromJson(`{${key}: "x"}`) } },
    { label: 'terms filter', request: { filters: fromJson(`{${key}: ["x", 1]}`) } },
    { label: 'range filter', request: { filters: fromJson(`{${key}: {"gte": 1}}`) } },
    { label: 'spec filter', request: { filters: { specifications: { name, value: name } } } },
    { label: 'sort', request: { sort: name } },
    { label: 'sort asc', request: { sort: [`${name}:asc`] } },
    { label: 'domain', request: { query: `${name}:foo` } },
    { label: 'query word', request: { query: name } },
    { label: 'sku dimension', request: { skuFilterDimension: name } },
    { label: 'language', request: { language: name } },
    { label: 'request key', request: fromJson(`{${key}: 1}`) },
  ];
}

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

describe('JS built-in names in a search request', () => {
  for (const name of BUILT_IN_NAMES) {
    it(`"${name}" in every name position: built, or INVALID_INPUT/PARSE_ERROR`, async () => {
      const outcomes: string[] = [];
      for (const { label, request } of requestsNaming(name)) {
        try {
          await prepare({ tenantId: '1', ...request });
          outcomes.push(`${label}: ok`);
        } catch (err) {
          const code = err instanceof RwbError ? err.code : `raw ${String(err)}`;
          outcomes.push(`${label}: ${code}`);
          expect(['INVALID_INPUT', 'PARSE_ERROR'], `${label}: ${String(err)}`).toContain(code);
        }
      }
      // Names that are not index fields are never treated as known ones.
      expect(outcomes).toContain('facet: INVALID_INPUT');
      expect(outcomes).toContain('term filter: INVALID_INPUT');
      expect(outcomes).toContain('range filter: INVALID_INPUT');
      expect(outcomes).toContain('sort: INVALID_INPUT');
    });
  }

  it('an unknown facet names the field and lists known ones', async () => {
    await expect(prepare({ tenantId: '1', facets: ['toString'] })).rejects.toThrow(
      /facets\[0\]\.field: "toString" is not a field of the index mapping \(known: .*category1_name/,
    );
  });

  it('a __proto__ filter is refused, not silently dropped', async () => {
    await expect(
      prepare({ tenantId: '1', filters: fromJson('{"__proto__": {"gte": 1}}') }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /filters\.__proto__/ });
  });
});
