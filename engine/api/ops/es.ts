import { z } from 'zod';
import type { estypes } from '@elastic/elasticsearch';
import { esAuthKind, EsConnectionSchema } from '../../config/connections.ts';
import { assertEsReachable } from '../../es/client.ts';
import { analysisFallbackNotes } from '../../es/analysis.ts';
import { getIndexInfo } from '../../es/index.ts';
import { localNodeStatus } from '../../es/local-node.ts';
import { toRwbError } from '../../errors.ts';
import { redactUrl } from '../../net/redact.ts';
import type { ApiContext } from '../context.ts';
import { esError } from '../es-client.ts';
import { defineOperation, NoInput } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { sessionOf } from './workbench-session.ts';
import { translatorSecretsFromEnv } from '../../query/translation/translator.ts';
import { englishCoverage, missingTranslatorReason, untranslatedEnglishNotice } from '../../search/translation-notice.ts';

const LocalNodeSchema = z.object({
  running: z.boolean(),
  starting: z.boolean(),
  url: z.string(),
  version: z.string().nullable(),
  pid: z.number().nullable(),
  heap: z.string().nullable(),
  dataDir: z.string(),
});

const EsStatusSchema = z.object({
  url: z.string(),
  auth: z.enum(['none', 'apiKey', 'basic']),
  reachable: z.boolean(),
  clusterName: z.string().nullable(),
  health: z.enum(['green', 'yellow', 'red']).nullable(),
  version: z.string().nullable(),
  nodes: z.number().nullable(),
  /** Why the cluster is not usable (the status screen shows it; not an operation failure). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The profile's embedded node (`rwb es start`), whether or not it is the connection in use. */
  localNode: LocalNodeSchema.nullable(),
});

async function readLocalNode(profile: string): Promise<z.input<typeof LocalNodeSchema> | null> {
  try {
    const s = await localNodeStatus({ profile });
    return { running: s.running, starting: s.starting, url: s.url, version: s.version, pid: s.pid, heap: s.heap, dataDir: s.dataDir };
  } catch {
    // No runtime installed or no state yet: there is simply no local node to show.
    return null;
  }
}

async function readEsStatus(ctx: ApiContext): Promise<z.input<typeof EsStatusSchema>> {
  const conn = ctx.esConnection();
  // Credentials inside the URL are basic auth too; the URL shown never carries them.
  const auth = esAuthKind(conn);
  const url = redactUrl(conn.url);
  const localNode = await readLocalNode(ctx.profile);
  try {
    // Fail fast when nothing answers: the client's retry backoff would keep the screen waiting ~4 s.
    await ctx.esClient().cluster.health({}, { maxRetries: 0 }).catch((err: unknown) => {
      throw esError(err, 'the health check', conn.url);
    });
    const info = await assertEsReachable(ctx.esClient(), conn.url);
    return { url, auth, reachable: true, clusterName: info.clusterName, health: info.health, version: info.version, nodes: info.nodes, error: null, localNode };
  } catch (err) {
    const e = toRwbError(err);
    return { url, auth, reachable: false, clusterName: null, health: null, version: null, nodes: null, error: { code: e.code, message: e.message }, localNode };
  }
}

export const esStatus = defineOperation({
  description: 'Health of the Elasticsearch connection in use (reachable, health, version) and of the local node.',
  input: NoInput,
  output: EsStatusSchema,
  handler: async (_input, ctx) => readEsStatus(ctx),
});

export const esConnect = defineOperation({
  description: 'Switch the app to another Elasticsearch (URL, API key or basic auth); answers its status.',
  input: EsConnectionSchema,
  output: EsStatusSchema,
  handler: async (input, ctx) => {
    await ctx.setEsConnection(input);
    return readEsStatus(ctx);
  },
});

const LanguageAnalysisSchema = z.object({ index: z.string(), search: z.string() }).nullable();

const IndexInfoSchema = z.object({
  index: z.string(),
  exists: z.boolean(),
  docCount: z.number(),
  tenants: z.array(z.object({ tenantId: z.string(), docCount: z.number() })),
  /** More tenants exist than are listed. */
  tenantsTruncated: z.boolean(),
  /** Analyzers per language: from the index _meta when rwb created it, else from the mapping. */
  analysis: z.object({
    zh: LanguageAnalysisSchema,
    en: LanguageAnalysisSchema,
    keywordNormalizer: z.string().nullable(),
    source: z.enum(['meta', 'mapping', 'none']),
    /** What a fallback to `standard` lacks (no English stemming, Chinese as characters); from _meta only. */
    notes: z.array(z.string()).default([]),
  }),
  textEmbedding: z.object({ dims: z.number().nullable(), model: z.string().nullable() }),
  imageEmbedding: z.object({ dims: z.number().nullable(), model: z.string().nullable() }),
  createdByRwb: z.boolean(),
  createdAt: z.string().nullable(),
  /**
   * Translation out of the box (issue 17): is there a translator for the working config, and which
   * listed tenants have no English title at all. Absent when the index does not exist or the
   * count failed (the card then shows no notice rather than no index).
   */
  translation: z
    .object({
      translatorConfigured: z.boolean(),
      englishDocs: z.number(),
      tenantsWithoutEnglish: z.array(z.string()),
      notice: z.string().nullable(),
    })
    .optional(),
});
type IndexInfoOutput = z.input<typeof IndexInfoSchema>;

export const indexInfo = defineOperation({
  description: 'What an index holds: documents per tenant, analyzers per language, embedding models.',
  input: z.object({ index: IndexNameSchema.optional() }).strict().default({}),
  output: IndexInfoSchema,
  handler: async (input, ctx): Promise<IndexInfoOutput> => {
    const index = input.index ?? ctx.defaultIndex;
    const url = ctx.esConnection().url;
    const client = ctx.esClient();
    const info = await getIndexInfo(client, index, url);
    const base = {
      index,
      exists: info.exists,
      docCount: info.docCount,
      tenants: info.tenants.map((t) => ({ tenantId: t.tenantId, docCount: t.docs })),
      tenantsTruncated: info.tenantsTruncated,
      textEmbedding: { dims: info.textDims, model: info.meta?.text_model ?? null },
      imageEmbedding: { dims: info.imageDims, model: info.meta?.image_model ?? null },
      createdByRwb: info.meta?.created_by === 'rwb',
      createdAt: info.meta?.created_at ?? null,
    };
    if (!info.exists) return { ...base, analysis: { zh: null, en: null, keywordNormalizer: null, source: 'none' } };
    const translation = await translationFacts(ctx, index, url);
    if (translation) Object.assign(base, { translation });
    const a = info.meta?.analysis;
    if (a?.zh && a.en) {
      return {
        ...base,
        analysis: {
          zh: { index: a.zh.indexAnalyzer, search: a.zh.searchAnalyzer },
          en: { index: a.en.indexAnalyzer, search: a.en.searchAnalyzer },
          keywordNormalizer: a.keywordNormalizer ? a.keywordNormalizer.filters.join('+') : null,
          source: 'meta',
          notes: analysisFallbackNotes(a),
        },
      };
    }
    // An index rwb did not create: read the analyzers off the mapping itself.
    try {
      const mappings = Object.values(await client.indices.getMapping({ index }))[0]?.mappings ?? {};
      return { ...base, analysis: { zh: analyzerOf(mappings, 'title_zh'), en: analyzerOf(mappings, 'title_en'), keywordNormalizer: null, source: 'mapping' } };
    } catch (err) {
      throw esError(err, `Reading the mapping of ${index}`, url);
    }
  },
});

/** The analyzers of a text field; a text field without one uses the index default ("standard"). */
export function analyzerOf(mapping: estypes.MappingTypeMapping, field: string): { index: string; search: string } | null {
  const prop = mapping.properties?.[field] as { type?: string; analyzer?: string; search_analyzer?: string } | undefined;
  if (!prop || prop.type !== 'text') return null;
  const indexAnalyzer = prop.analyzer ?? 'standard';
  return { index: indexAnalyzer, search: prop.search_analyzer ?? indexAnalyzer };
}

/** See IndexInfoSchema.translation; one size-0 request. Best effort: a notice never fails the card. */
async function translationFacts(ctx: ApiContext, index: string, url: string): Promise<IndexInfoOutput['translation']> {
  try {
    const session = sessionOf(ctx);
    const { config } = await session.working();
    const key = session.secrets().get('deeplApiKey') ?? translatorSecretsFromEnv().deeplApiKey;
    const reason = missingTranslatorReason(config.query.translation, key);
    const coverage = await englishCoverage(ctx.esClient(), index, { url });
    const without = [...coverage.byTenant].filter(([, c]) => c.total > 0 && c.withEnglish === 0);
    const scope = without.length === coverage.byTenant.size ? `index ${index}` : `${without.length === 1 ? 'tenant' : 'tenants'} ${without.map(([t]) => t).join(', ')}`;
    const total = without.reduce((n, [, c]) => n + c.total, 0);
    return {
      translatorConfigured: reason === null,
      englishDocs: coverage.withEnglish,
      tenantsWithoutEnglish: without.map(([tenant]) => tenant),
      notice: without.length === 0 ? null : untranslatedEnglishNotice(reason, { total, withEnglish: 0 }, scope),
    };
  } catch {
    return undefined;
  }
}
