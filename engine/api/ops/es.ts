import { z } from 'zod';
import type { estypes } from '@elastic/elasticsearch';
import { EsConnectionSchema } from '../../config/connections.ts';
import { toRwbError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { esError } from '../es-client.ts';
import { defineOperation, NoInput } from '../operation.ts';
import { IndexNameSchema } from './common.ts';

const EsStatusSchema = z.object({
  url: z.string(),
  auth: z.enum(['none', 'apiKey', 'basic']),
  reachable: z.boolean(),
  clusterName: z.string().nullable(),
  health: z.enum(['green', 'yellow', 'red']).nullable(),
  version: z.string().nullable(),
  nodes: z.number().nullable(),
  /** Why the cluster is not reachable (the status screen shows it; not an operation failure). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

async function readEsStatus(ctx: ApiContext): Promise<z.input<typeof EsStatusSchema>> {
  const conn = ctx.esConnection();
  const auth = conn.apiKey ? 'apiKey' : conn.username ? 'basic' : 'none';
  const base = { url: conn.url, auth } as const;
  try {
    const client = ctx.esClient();
    const health = await client.cluster.health();
    // GET / (client.info) is not in every distribution (the integ-test zip lacks it); node info is.
    const nodes = await client.nodes.info({ node_id: '_local', metric: '_none' });
    const version = Object.values(nodes.nodes)[0]?.version ?? null;
    return {
      ...base,
      reachable: true,
      clusterName: health.cluster_name,
      health: health.status.toLowerCase() as 'green' | 'yellow' | 'red',
      version,
      nodes: health.number_of_nodes,
      error: null,
    };
  } catch (err) {
    const e = esError(err, 'Reading cluster status', conn.url);
    return { ...base, reachable: false, clusterName: null, health: null, version: null, nodes: null, error: { code: e.code, message: e.message } };
  }
}

export const esStatus = defineOperation({
  description: 'Health of the Elasticsearch connection in use: reachable, cluster health, version.',
  input: NoInput,
  output: EsStatusSchema,
  handler: async (_input, ctx) => readEsStatus(ctx),
});

export const esConnect = defineOperation({
  description: 'Switch the app to another Elasticsearch (URL, API key or basic auth); answers its status.',
  input: EsConnectionSchema,
  output: EsStatusSchema,
  handler: async (input, ctx) => {
    try {
      await ctx.setEsConnection(input);
    } catch (err) {
      throw toRwbError(err, 'INVALID_CONFIG');
    }
    return readEsStatus(ctx);
  },
});

const IndexInfoSchema = z.object({
  index: z.string(),
  exists: z.boolean(),
  docCount: z.number(),
  tenants: z.array(z.object({ tenantId: z.string(), docCount: z.number() })),
  /** Documents of tenants beyond the listed ones. */
  otherTenantsDocCount: z.number(),
  /** Analyzer per language as the mapping declares it (title_zh / title_en). */
  analysis: z.object({ zh: z.string().nullable(), en: z.string().nullable() }),
  textEmbedding: z.object({ dims: z.number().nullable(), model: z.string().nullable() }),
  /** The index mapping's _meta as written at creation (analysis choice, model ids, versions). */
  meta: z.record(z.unknown()).nullable(),
});

const TENANT_BUCKETS = 200;

export const indexInfo = defineOperation({
  description: 'What an index holds: document count per tenant, analyzers per language, embedding model.',
  input: z.object({ index: IndexNameSchema.optional() }).strict().default({}),
  output: IndexInfoSchema,
  handler: async (input, ctx) => {
    const index = input.index ?? ctx.defaultIndex;
    const conn = ctx.esConnection();
    const client = ctx.esClient();
    try {
      const exists = await client.indices.exists({ index });
      if (!exists) {
        return { index, exists: false, docCount: 0, tenants: [], otherTenantsDocCount: 0, analysis: { zh: null, en: null }, textEmbedding: { dims: null, model: null }, meta: null };
      }
      const [mappingResponse, search] = await Promise.all([
        client.indices.getMapping({ index }),
        client.search<unknown, { tenants: estypes.AggregationsStringTermsAggregate }>({
          index,
          size: 0,
          track_total_hits: true,
          aggs: { tenants: { terms: { field: 'tenant_id', size: TENANT_BUCKETS } } },
        }),
      ]);
      const mapping = Object.values(mappingResponse)[0]?.mappings ?? {};
      const buckets = search.aggregations?.tenants.buckets;
      const tenants = (Array.isArray(buckets) ? buckets : []).map((b) => ({ tenantId: String(b.key), docCount: b.doc_count }));
      const total = typeof search.hits.total === 'number' ? search.hits.total : (search.hits.total?.value ?? 0);
      const meta = (mapping._meta as Record<string, unknown> | undefined) ?? null;
      return {
        index,
        exists: true,
        docCount: total,
        tenants,
        otherTenantsDocCount: search.aggregations?.tenants.sum_other_doc_count ?? 0,
        analysis: { zh: analyzerOf(mapping, 'title_zh'), en: analyzerOf(mapping, 'title_en') },
        textEmbedding: { dims: vectorDims(mapping, 'title_embedding'), model: modelFromMeta(meta) },
        meta,
      };
    } catch (err) {
      throw esError(err, `Reading index ${index}`, conn.url);
    }
  },
});

/** The analyzer a text field uses; a text field without one uses the index default ("standard"). */
export function analyzerOf(mapping: estypes.MappingTypeMapping, field: string): string | null {
  const prop = mapping.properties?.[field] as { type?: string; analyzer?: string } | undefined;
  if (!prop) return null;
  if (prop.analyzer) return prop.analyzer;
  return prop.type === 'text' ? 'standard' : null;
}

function vectorDims(mapping: estypes.MappingTypeMapping, field: string): number | null {
  const prop = mapping.properties?.[field] as { type?: string; dims?: number } | undefined;
  return prop?.type === 'dense_vector' && typeof prop.dims === 'number' ? prop.dims : null;
}

/** Index creation records the text model in _meta; accept the spellings the engine has used. */
export function modelFromMeta(meta: Record<string, unknown> | null): string | null {
  if (!meta) return null;
  const embedding = meta.embedding as Record<string, unknown> | undefined;
  const candidates = [meta.textModel, meta.text_model, embedding?.model, embedding?.textModel];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return found ?? null;
}
