/**
 * What the workbench screens share within one app session, per ApiContext: the working
 * SearchConfig (the one the sliders move; persisted under RWB_HOME so a reload keeps it), the
 * experiment and query-set stores, secrets handed in by the host (Electron safeStorage or env),
 * and the search dependencies (translator, query embedder, field catalog) built once per config.
 *
 * Kept beside the context (a WeakMap) instead of inside it, so the contract's ApiContext stays
 * the small thing every transport creates.
 */
import path from 'node:path';
import { errors } from '@elastic/elasticsearch';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import {
  parseSearchConfig,
  type SearchConfig,
} from '../../config/search-config.ts';
import { IndexBoundCaches, type RunCaches } from '../../eval/runner-caches.ts';
import { ExperimentStore } from '../../eval/store/experiment-store.ts';
import { QuerySetStore } from '../../eval/store/query-set-store.ts';
import { withFileLock } from '../../eval/store/file-lock.ts';
import {
  readVersionedJson,
  writeJsonAtomic,
  type VersionedFormat,
} from '../../eval/store/versioned-json.ts';
import { RwbError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import { cachedEmbedder } from '../../query/cached-embedder.ts';
import type { QueryEmbedder } from '../../query/query-parser.ts';
import { createTranslatorWithDeepl } from '../../query/translation/deepl-translator.ts';
import {
  translatorSecretsFromEnv,
  type Translator,
  type TranslatorSecrets,
} from '../../query/translation/translator.ts';
import {
  defaultSearchFields,
  searchFieldsFromMapping,
  type SearchFieldCatalog,
} from '../../search/fields.ts';
import type { SearchDependencies } from '../../search/searcher.ts';
import { defaultConfigForIndex } from '../../search/index-default-config.ts';
import { secretsFromEnv, type SecretName, type SecretSource } from './app-secrets.ts';

export const WORKING_CONFIG_SCHEMA_VERSION = 1;

const WorkingConfigFileSchema = z.object({
  schemaVersion: z.literal(WORKING_CONFIG_SCHEMA_VERSION),
  /** The saved revision the working config started from (null: the built-in default). */
  baseRevisionId: z.string().nullable(),
  updatedAt: z.string(),
  config: z.record(z.string(), z.unknown()),
});
type WorkingConfigFile = z.infer<typeof WorkingConfigFileSchema>;

const workingConfigFormat: VersionedFormat<WorkingConfigFile> = {
  kind: 'working config',
  currentVersion: WORKING_CONFIG_SCHEMA_VERSION,
  migrations: {},
  parse: (value, where) => {
    const parsed = WorkingConfigFileSchema.safeParse(value);
    if (!parsed.success)
      throw new RwbError(
        'INVALID_CONFIG',
        `${where}: ${parsed.error.issues[0]?.message ?? 'not a working config'}`,
      );
    return parsed.data;
  },
};

export interface WorkingConfig {
  config: SearchConfig;
  baseRevisionId: string | null;
  updatedAt: string;
}

export interface WorkbenchSession {
  readonly experiments: ExperimentStore;
  readonly querySets: QuerySetStore;
  working(): Promise<WorkingConfig>;
  setWorking(config: SearchConfig, baseRevisionId: string | null): Promise<WorkingConfig>;
  /**
   * Changes the working config in one transaction: under its lock and in call order, `change`
   * gets the latest stored one (another process's change included) and returns the next. Two
   * slider moves at once both stay. `change` must not call setWorking/updateWorking (same lock).
   */
  updateWorking(
    change: (
      current: WorkingConfig,
    ) => Promise<{ config: SearchConfig; baseRevisionId: string | null }>,
  ): Promise<WorkingConfig>;
  /** Validates a config the screens sent (against the index fields). */
  parseConfig(input: unknown, index: string, source: string): Promise<SearchConfig>;
  /** Translator, embedder and fields for searching `index` with `config`. */
  searchDependencies(
    config: SearchConfig,
    index: string,
    signal?: AbortSignal,
  ): Promise<SearchDependencies>;
  fields(index: string): Promise<SearchFieldCatalog>;
  /**
   * Parses and sub-search answers kept between live-metric runs on `index` while it does not
   * change (runner-caches.ts).
   */
  runCaches(index: string, signal?: AbortSignal): Promise<RunCaches>;
  /** Where secrets come from (desktop: safeStorage via main; browser mode: env). */
  secrets(): SecretSource;
  setSecretSource(source: SecretSource): void;
  /** Releases encoders (app shutdown). */
  close(): Promise<void>;
}

const sessions = new WeakMap<ApiContext, WorkbenchSession>();

export function sessionOf(ctx: ApiContext): WorkbenchSession {
  let session = sessions.get(ctx);
  if (!session) {
    session = createSession(ctx);
    sessions.set(ctx, session);
  }
  return session;
}

/** Lets a host (Electron main) install its secret store before the first call. */
export function setSessionSecretSource(ctx: ApiContext, source: SecretSource): void {
  sessionOf(ctx).setSecretSource(source);
}

export function workbenchDir(profile: string): string {
  return path.join(paths.state(), 'workbench', profile);
}

function translatorKey(config: SearchConfig): string {
  return JSON.stringify(config.query.translation);
}

function createSession(ctx: ApiContext): WorkbenchSession {
  const file = path.join(workbenchDir(ctx.profile), 'working-config.json');
  const lockFile = `${file}.lock`;
  let current: WorkingConfig | null = null;

  /** The stored working config; null when there is none or it no longer validates. */
  const readStored = async (): Promise<WorkingConfig | null> => {
    try {
      const { value } = await readVersionedJson(file, workingConfigFormat);
      return {
        config: parseSearchConfig(value.config, { source: file }),
        baseRevisionId: value.baseRevisionId,
        updatedAt: value.updatedAt,
      };
    } catch (err) {
      if (err instanceof RwbError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_CONFIG'))
        return null;
      throw err;
    }
  };

  /** Writes the working config (the caller holds the lock). */
  const persist = async (
    config: SearchConfig,
    baseRevisionId: string | null,
  ): Promise<WorkingConfig> => {
    const next: WorkingConfig = { config, baseRevisionId, updatedAt: new Date().toISOString() };
    await writeJsonAtomic(file, {
      schemaVersion: WORKING_CONFIG_SCHEMA_VERSION,
      baseRevisionId,
      updatedAt: next.updatedAt,
      config,
    });
    current = next;
    return next;
  };
  let secretSource: SecretSource = secretsFromEnv();
  const translators = new Map<string, Translator | null>();
  const embedders = new Map<
    string,
    Promise<{ embed: QueryEmbedder; close: () => Promise<void> }>
  >();
  const fieldCache = new Map<string, Promise<SearchFieldCatalog>>();
  const runCaches = new IndexBoundCaches();

  const fields = (index: string): Promise<SearchFieldCatalog> => {
    let pending = fieldCache.get(index);
    if (!pending) {
      pending = ctx
        .esClient()
        .indices.getMapping({ index }, { maxRetries: 0 })
        .then((answer) => {
          const mapping = Object.values(answer)[0]?.mappings;
          return mapping ? searchFieldsFromMapping({ mappings: mapping }) : defaultSearchFields();
        })
        // No index yet or no cluster: the mapping rwb creates is what the index will have.
        .catch(() => {
          fieldCache.delete(index);
          return defaultSearchFields();
        });
      fieldCache.set(index, pending);
    }
    return pending;
  };

  const embedderFor = async (model: string): Promise<QueryEmbedder> => {
    let pending = embedders.get(model);
    if (!pending) {
      pending = (async () => {
        // Loaded on first use: the ONNX runtime is heavy and most sessions never embed queries.
        const { createTextEncoder } = await import('../../embed/text-encoder.ts');
        const encoder = await createTextEncoder({ model, log: () => undefined });
        const embed: QueryEmbedder = async (text) => (await encoder.encodeQueries([text]))[0]!;
        return { embed: cachedEmbedder(embed, 10_000), close: () => encoder.close() };
      })();
      pending.catch(() => embedders.delete(model));
      embedders.set(model, pending);
    }
    return (await pending).embed;
  };

  return {
    experiments: new ExperimentStore(),
    querySets: new QuerySetStore(),

    async working() {
      if (current) return current;
      const stored = await readStored();
      if (stored) current = stored;
      else {
        // No file yet (first start) or one that no longer validates: start from the default.
        // The default, with query vectors on when the index holds title vectors. If the index
        // cannot be read yet, the plain default is used but not kept, so a later call can do better.
        const start = await defaultConfigForIndex(ctx.esClient(), ctx.defaultIndex);
        const fresh = { config: start.config, baseRevisionId: null, updatedAt: new Date().toISOString() };
        if (!start.indexRead) return fresh;
        current = fresh;
      }
      return current;
    },

    updateWorking(change) {
      return withFileLock(lockFile, async () => {
        const stored = await readStored();
        if (stored) current = stored;
        const next = await change(stored ?? (await this.working()));
        return persist(next.config, next.baseRevisionId);
      });
    },

    setWorking(config, baseRevisionId) {
      // Under the file's lock and in call order: with the app and browser mode open on the same
      // profile, the last change made is the one kept, whole.
      return withFileLock(lockFile, () => persist(config, baseRevisionId));
    },

    async parseConfig(input, index, source) {
      return parseSearchConfig(input, { knownFields: [...(await fields(index)).keys()], source });
    },

    async searchDependencies(config, index, signal) {
      const key = translatorKey(config);
      if (!translators.has(key)) {
        // The key comes from the host's secret store (desktop) or the environment; never the config.
        const secrets: TranslatorSecrets = { ...translatorSecretsFromEnv() };
        const deepl = secretSource.get('deeplApiKey');
        if (deepl) secrets.deeplApiKey = deepl;
        translators.set(key, createTranslatorWithDeepl(config.query.translation, secrets));
      }
      const deps: SearchDependencies = {
        translator: translators.get(key) ?? null,
        fields: await fields(index),
        url: ctx.esConnection().url,
        ...(signal ? { signal } : {}),
      };
      if (config.query.textEmbedding.enabled)
        deps.embedder = await embedderFor(config.query.textEmbedding.model);
      return deps;
    },

    fields,
    runCaches: (index, signal) => runCaches.forIndex(ctx.esClient(), index, signal),
    secrets: () => secretSource,
    setSecretSource(source) {
      secretSource = source;
      // Translators hold the old key, and kept parses their translations.
      translators.clear();
      runCaches.clear();
    },

    async close() {
      const all = [...embedders.values()];
      embedders.clear();
      await Promise.all(
        all.map((p) =>
          p.then(
            (e) => e.close(),
            () => undefined,
          ),
        ),
      );
    },
  };
}

export type { SecretName };

/** A search of an index that does not exist is NOT_FOUND with the way out ("ingest first"). */
export function missingIndexAsNotFound(err: unknown, index: string): unknown {
  const cause = err instanceof RwbError ? err.cause : err;
  if (cause instanceof errors.ResponseError && cause.statusCode === 404) {
    const body = cause.body as { error?: { type?: string } } | undefined;
    if (body?.error?.type === 'index_not_found_exception') {
      return new RwbError(
        'NOT_FOUND',
        `Index "${index}" does not exist (ingest a catalog first)`,
        { index },
        { cause },
      );
    }
  }
  return err;
}
