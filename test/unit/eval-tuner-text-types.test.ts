/**
 * The auto-tuner's space over schema version 2's text levers: a domain's `type` (and operator) as
 * categorical parameters, slop and the proximity numbers as numeric ones. Every point of such a
 * space decodes into parameters that write into a real SearchConfig, and the config the tuner
 * would evaluate builds the request the lever names; a combination the config rules refuse
 * scores 0 instead of stopping the run.
 */
import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { decodePoint, dimensionsOf } from '../../engine/eval/tuner/space-codec.ts';
import {
  applyParams,
  parseParameterSpaceText,
  readBaseParams,
} from '../../engine/eval/tuner/space.ts';
import { createTuneEvaluation } from '../../engine/eval/tuning/tune-runner.ts';
import { build, recallOf } from './search-fixtures.ts';

const SPACE = `
metric: ndcg@10
parameters:
  - path: domains.default.type
    type: categorical
    values: [best_fields, most_fields, cross_fields, combined_fields, bool_prefix]
  - { path: domains.default.operator, type: categorical, values: [or, and] }
  - { path: domains.default.proximity.boost, type: float, min: 0.1, max: 10, log: true, default: 1 }
  - { path: domains.default.proximity.slop, type: int, min: 0, max: 8, default: 2 }
  - { path: domains.title.slop, type: int, min: 0, max: 5, default: 0 }
`;

function baseConfig() {
  const config = defaultSearchConfig();
  config.domains.find((d) => d.name === 'title')!.type = 'phrase';
  return parseSearchConfig(config);
}

describe('tuner space over text match types and proximity', () => {
  it('parses type and operator as categorical, proximity and slop as numeric', () => {
    const space = parseParameterSpaceText(SPACE);
    const dims = dimensionsOf(space);
    expect(space.parameters.map((p) => p.type)).toEqual([
      'categorical',
      'categorical',
      'float',
      'int',
      'int',
    ]);
    expect(dims).toHaveLength(5);
  });

  it('reads the base values (defaults where the base has no proximity) and writes every sampled point into a valid config', async () => {
    const space = parseParameterSpaceText(SPACE);
    const base = baseConfig();
    const read = readBaseParams(base, space);
    expect(read.values).toEqual({
      'domains.default.type': 'best_fields',
      'domains.default.operator': 'or',
      'domains.default.proximity.boost': 1,
      'domains.default.proximity.slop': 2,
      'domains.title.slop': 0,
    });
    expect(read.missing).toEqual([]);

    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      // Categorical coordinates are choice indexes, numeric ones lie in [0, 1].
      const u = (k: number) => (i * 0.618 + k * 0.37) % 1;
      const params = decodePoint(space, [i % 5, Math.floor(i / 5) % 2, u(3), u(4), u(5)]);
      const config = parseSearchConfig(applyParams(base, space, params));
      const domain = config.domains.find((d) => d.name === 'default')!;
      expect(domain.type).toBe(params['domains.default.type']);
      expect(domain.operator).toBe(params['domains.default.operator']);
      // Only the tuned numbers were given: parsing fills the rest of the proximity in.
      expect(domain.proximity).toEqual({
        enabled: true,
        fields: [],
        slop: params['domains.default.proximity.slop'],
        boost: params['domains.default.proximity.boost'],
      });
      expect(config.domains.find((d) => d.name === 'title')!.slop).toBe(
        params['domains.title.slop'],
      );
      seen.add(String(domain.type));

      // The lever reaches the request: the default domain's match has the sampled type.
      const recall = JSON.stringify(
        recallOf(await build({ tenantId: '1', query: 'red shoes' }, config)),
      );
      if (domain.type === 'combined_fields') expect(recall).toContain('"combined_fields"');
      else expect(recall).toContain(`"type":"${domain.type}"`);
      expect(recall).toContain(`"slop":${domain.proximity!.slop}`);
    }
    expect(seen.size).toBe(5);
  });

  it('a combination the rules refuse scores 0 on every query and is reported, the run goes on', async () => {
    const space = parseParameterSpaceText(`
parameters:
  - { path: domains.default.type, type: categorical, values: [best_fields, phrase] }
  - { path: domains.default.fuzziness, type: categorical, values: [null, AUTO] }
`);
    // The client is never reached: the refused config is caught before any search.
    const unreachable = new Proxy(
      {},
      {
        get() {
          throw new Error('Elasticsearch must not be called for a refused config');
        },
      },
    ) as Client;
    const tune = createTuneEvaluation(unreachable, {
      index: 'none',
      tenantId: '1',
      querySet: { name: 'q', queries: [] } as never,
      baseConfig: baseConfig(),
      space,
      metric: 'ndcg@10',
    });
    const { perQuery } = await tune.evaluate(
      { 'domains.default.type': 'phrase', 'domains.default.fuzziness': 'AUTO' },
      ['red shoes', 'blue boots'],
    );
    expect([...perQuery]).toEqual([
      ['red shoes', 0],
      ['blue boots', 0],
    ]);
    expect(tune.failures()).toEqual([
      {
        query: 'red shoes',
        message: expect.stringContaining('domains[0].fuzziness'),
      },
    ]);
    expect(tune.stats().failedQueries).toBe(2);
  });
});
