/**
 * What `rwb serve` runs per request, independent of HTTP: a loaded bundle, its ES client, its
 * text model (query vectors, LRU-cached), its image tower, its translator. Models load once at
 * start so the first request is not slow and /health can tell whether they are there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import { docId, type ProductDoc } from '../catalog/types.ts';
import type { Bundle } from '../config/bundle-schema.ts';
import type { ParseMode } from '../config/search-config-schema.ts';
import type { EsConnection } from '../config/connections.ts';
import {
  createImageEncoder,
  createTextEncoder,
  type ImageEncoder,
  type TextEncoder,
} from '../embed/index.ts';
import { createEsClient, esErrorToRwb } from '../es/client.ts';
import { RwbError } from '../errors.ts';
import { cachedEmbedder } from '../query/cached-embedder.ts';
import { loadEldDetector } from '../query/language-detection.ts';
import type { QueryEmbedder } from '../query/query-parser.ts';
import { createTranslatorWithDeepl } from '../query/translation/deepl-translator.ts';
import type { Translator } from '../query/translation/translator.ts';
import { clauseLimitOf } from '../search/clause-limit.ts';
import { searchFieldsFromMapping, type SearchFieldCatalog } from '../search/fields.ts';
import { formatHit } from '../search/format-results.ts';
import type { SearchResponse, SpuResult } from '../search/response-schema.ts';
import { formatSearchResponse, prepareSearch } from '../search/searcher.ts';
import { executePlannedSearch } from '../search/fused-response.ts';
import { invalidInput } from './api-errors.ts';

export type SearchStage = 'parse' | 'embed' | 'es' | 'format';

export interface SearchServiceOptions {
  bundle: Bundle;
  es: Partial<EsConnection>;
  /** Default: the bundle's index. */
  index?: string;
  /** Query embedder; default: the bundle's text model (when text kNN is on). null: none. */
  embedder?: QueryEmbedder | null;
  /** Default: the bundle's image tower (when image kNN is on). null: none. */
  imageEncoder?: ImageEncoder | null;
  /** Where the image tower is on this machine (default: the path recorded in the bundle). */
  imageModelPath?: string;
  /** Default: from the bundle's translation settings, DeepL key from the environment. */
  translator?: Translator | null;
  /**
   * Retries of a failed ES request (default 1). The client backs off between attempts, so a
   * refused connection costs about 1–2 s per retry before the API answers 502.
   */
  esMaxRetries?: number;
  /** ONNX threads for the text model. */
  threads?: number;
  onStage?: (stage: SearchStage, seconds: number) => void;
  /**
   * Query text that is not a valid expression: `lenient` searches it as plain text (the parse
   * error becomes a warning), `strict` answers 400 PARSE_ERROR. Default: the bundle's
   * query.parseMode, itself `lenient` unless the bundle says otherwise — shoppers type `6" tablet`.
   */
  parseMode?: ParseMode;
}

export interface HealthCheck {
  ok: boolean;
  detail: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  index: string;
  checks: {
    elasticsearch: HealthCheck;
    index: HealthCheck;
    textModel: HealthCheck;
    imageModel: HealthCheck;
  };
  bundle: { name: string; createdAt: string; bundleVersion: number };
}

const now = (): number => performance.now();
const HEALTH_TIMEOUT_MS = 3000;

export class SearchService {
  readonly index: string;
  readonly fields: SearchFieldCatalog;
  private readonly tempDir: Promise<string>;
  private readonly cachedVectors: ReturnType<typeof cachedEmbedder> | null;
  private readonly requestOptions: { maxRetries: number };

  private constructor(
    readonly bundle: Bundle,
    readonly client: Client,
    readonly esUrl: string,
    private readonly embedder: QueryEmbedder | null,
    private readonly textEncoder: TextEncoder | null,
    private readonly imageEncoder: ImageEncoder | null,
    private readonly translator: Translator | null,
    private readonly options: SearchServiceOptions,
  ) {
    this.index = options.index ?? bundle.index;
    this.fields = searchFieldsFromMapping(bundle.mapping);
    this.requestOptions = { maxRetries: options.esMaxRetries ?? 1 };
    this.tempDir = mkdtemp(path.join(os.tmpdir(), 'rwb-serve-'));
    this.cachedVectors =
      embedder !== null && 'stats' in embedder
        ? (embedder as ReturnType<typeof cachedEmbedder>)
        : null;
  }

  static async create(options: SearchServiceOptions): Promise<SearchService> {
    const { bundle } = options;
    const { config } = bundle;
    const client = createEsClient(options.es);
    const esUrl = options.es.url ?? 'http://127.0.0.1:9200';
    const translator =
      options.translator === undefined
        ? createTranslatorWithDeepl(config.query.translation)
        : options.translator;

    // The language detector's n-gram tables take about a second to load: not on the first request.
    await loadEldDetector();
    let textEncoder: TextEncoder | null = null;
    let embedder: QueryEmbedder | null = null;
    let imageEncoder: ImageEncoder | null = null;
    try {
      if (options.embedder !== undefined) {
        embedder = options.embedder;
      } else if (config.query.textEmbedding.enabled && bundle.models.text !== null) {
        textEncoder = await createTextEncoder({
          model: bundle.models.text.id,
          ...(options.threads === undefined ? {} : { threads: options.threads }),
        });
        if (textEncoder.dims !== bundle.models.text.dims) {
          throw new RwbError(
            'MODEL_ERROR',
            `Text model ${bundle.models.text.id} gives ${textEncoder.dims}-d vectors; the bundle expects ${bundle.models.text.dims}`,
          );
        }
        const encoder = textEncoder;
        embedder = cachedEmbedder(
          async (text) => (await encoder.encodeQueries([text]))[0]!,
          config.query.textEmbedding.cacheSize,
        );
      }
      if (options.imageEncoder !== undefined) {
        imageEncoder = options.imageEncoder;
      } else if (config.query.imageKnn.enabled && bundle.models.image !== null) {
        const visionModelPath = options.imageModelPath ?? bundle.models.image.visionModelPath;
        imageEncoder = await createImageEncoder({ visionModelPath, executionProvider: 'cpu' });
        const expected = bundle.models.image.dims;
        if (expected !== null && imageEncoder.dims !== expected) {
          throw new RwbError(
            'MODEL_ERROR',
            `Image tower ${visionModelPath} gives ${imageEncoder.dims}-d vectors; the bundle expects ${expected}`,
          );
        }
      }
    } catch (err) {
      await textEncoder?.close();
      await imageEncoder?.close();
      await client.close();
      throw err;
    }
    return new SearchService(
      bundle,
      client,
      esUrl,
      embedder,
      textEncoder,
      imageEncoder,
      translator,
      options,
    );
  }

  get config(): Bundle['config'] {
    return this.bundle.config;
  }

  get imageSearchEnabled(): boolean {
    return this.imageEncoder !== null;
  }

  /** Query-vector cache counters, for /metrics. */
  vectorCacheStats(): { size: number; hits: number; misses: number } | null {
    return this.cachedVectors?.stats() ?? null;
  }

  private stage(stage: SearchStage, milliseconds: number): void {
    this.options.onStage?.(stage, milliseconds / 1000);
  }

  /** Body = SearchRequest without tenantId; the tenant comes from the caller (header/query). */
  async search(tenantId: string, body: unknown, signal?: AbortSignal): Promise<SearchResponse> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw invalidInput('The request body must be a JSON object (a search request)', 'body');
    }
    if ('tenantId' in body) {
      throw invalidInput(
        'tenantId: not allowed in the body; send the tenant in the X-Tenant-ID header or ?tenant_id=',
        'tenantId',
      );
    }
    return this.run({ ...(body as Record<string, unknown>), tenantId }, signal);
  }

  /** Embeds the uploaded image with the bundle's image tower and searches by nested kNN. */
  async searchByImage(
    tenantId: string,
    image: Buffer,
    options: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<SearchResponse> {
    if (this.imageEncoder === null) {
      throw invalidInput(
        'Image search is off for this bundle (config.query.imageKnn.enabled is false)',
        'image',
      );
    }
    if ('imageVector' in options || 'tenantId' in options) {
      throw invalidInput(
        'request: imageVector and tenantId are not allowed; the image and the tenant header give them',
        'request',
      );
    }
    const started = now();
    const file = path.join(await this.tempDir, `${randomUUID()}.img`);
    await writeFile(file, image);
    let vector: Float32Array;
    try {
      const [result] = await this.imageEncoder.encodeImages(
        [file],
        signal === undefined ? {} : { signal },
      );
      if (result === undefined || 'error' in result) {
        throw invalidInput(
          'image: the upload is not an image that can be decoded (JPEG, PNG, WebP, GIF, AVIF, TIFF)',
          'image',
        );
      }
      vector = result.vector;
    } finally {
      await rm(file, { force: true });
    }
    return this.run(
      { ...options, tenantId, imageVector: Array.from(vector) },
      signal,
      now() - started,
    );
  }

  /** `imageEmbedMs`: time the image tower took, counted in the embed stage with the text vector. */
  private async run(
    input: Record<string, unknown>,
    signal?: AbortSignal,
    imageEmbedMs = 0,
  ): Promise<SearchResponse> {
    const started = now();
    // The cluster's clause limit (learned once, cached): a query that would expand past it is a
    // 400 naming the limit before ES is asked. null when it cannot be learned; ES's own refusal
    // is then mapped to the same 400 by esErrorToRwb.
    const maxClauseCount = await clauseLimitOf(this.client);
    const prepared = await prepareSearch(input, this.config, {
      maxClauseCount,
      ...(this.translator === null ? { translator: null } : { translator: this.translator }),
      ...(this.embedder === null ? {} : { embedder: this.embedder }),
      fields: this.fields,
      url: this.esUrl,
      parseMode: this.options.parseMode ?? this.config.query.parseMode,
      ...(signal === undefined ? {} : { signal }),
    });
    const embedMs = prepared.parsed.timings.embedMs;
    this.stage('embed', embedMs + imageEmbedMs);
    this.stage('parse', prepared.timings.parseMs - embedMs + prepared.timings.buildMs);

    const esStarted = now();
    const response = await executePlannedSearch(this.client, this.index, prepared, {
      url: this.esUrl,
      requestOptions: this.requestOptions,
      ...(signal === undefined ? {} : { signal }),
    });
    const esMs = now() - esStarted;
    this.stage('es', esMs);

    const formatStarted = now();
    const formatted = formatSearchResponse(prepared, response, {
      es_ms: Math.round(esMs * 1000) / 1000,
    });
    this.stage('format', now() - formatStarted);
    formatted.query.timings.total_ms = Math.round((now() - started) * 1000) / 1000;
    return formatted;
  }

  /** One product of one tenant; NOT_FOUND for another tenant's product as for a missing one. */
  async document(tenantId: string, spuId: string): Promise<SpuResult> {
    let hit: estypes.GetGetResult<Partial<ProductDoc>>;
    try {
      hit = await this.client.get<Partial<ProductDoc>>(
        {
          index: this.index,
          id: docId(tenantId, spuId),
          _source_includes: [...this.config.result.fields, 'tenant_id'],
        },
        this.requestOptions,
      );
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404 && !isIndexMissing(err))
        hit = { found: false } as typeof hit;
      else throw esErrorToRwb(err, this.esUrl, `reading a product from index ${this.index}`);
    }
    if (!hit.found || hit._source?.tenant_id !== tenantId) {
      throw new RwbError(
        'NOT_FOUND',
        `Product "${spuId}" does not exist for tenant "${tenantId}"`,
        { where: 'spu_id' },
      );
    }
    return formatHit(
      { _index: this.index, _id: hit._id, _source: hit._source },
      this.config.result.skuFilterDimension,
      false,
    );
  }

  async health(): Promise<HealthReport> {
    const options = { requestTimeout: HEALTH_TIMEOUT_MS, maxRetries: 0 };
    const checks: HealthReport['checks'] = {
      elasticsearch: { ok: false, detail: '' },
      index: { ok: false, detail: 'not checked (Elasticsearch is not reachable)' },
      textModel: this.modelCheck('text'),
      imageModel: this.modelCheck('image'),
    };
    try {
      const cluster = await this.client.cluster.health({}, options);
      checks.elasticsearch = {
        ok: cluster.status !== 'red',
        detail: `cluster ${cluster.cluster_name} is ${cluster.status}`,
      };
      checks.index = await this.indexCheck(options);
    } catch {
      checks.elasticsearch = { ok: false, detail: 'not reachable' };
    }
    const ok = Object.values(checks).every((check) => check.ok);
    return {
      status: ok ? 'ok' : 'unavailable',
      index: this.index,
      checks,
      bundle: {
        name: this.config.name,
        createdAt: this.bundle.createdAt,
        bundleVersion: this.bundle.bundleVersion,
      },
    };
  }

  private modelCheck(kind: 'text' | 'image'): HealthCheck {
    const model = kind === 'text' ? this.bundle.models.text : this.bundle.models.image;
    const loaded = kind === 'text' ? this.embedder !== null : this.imageEncoder !== null;
    if (model === null) return { ok: true, detail: `no ${kind} model in this bundle` };
    return loaded
      ? { ok: true, detail: `${model.id} loaded` }
      : { ok: false, detail: `${model.id} is not loaded` };
  }

  private async indexCheck(options: {
    requestTimeout: number;
    maxRetries: number;
  }): Promise<HealthCheck> {
    if (!(await this.client.indices.exists({ index: this.index }, options))) {
      return { ok: false, detail: `index ${this.index} does not exist` };
    }
    const mapping = await this.client.indices.getMapping({ index: this.index }, options);
    const properties = Object.values(mapping)[0]?.mappings.properties ?? {};
    const liveDims = (properties.title_embedding as { dims?: number } | undefined)?.dims;
    const text = this.bundle.models.text;
    if (text !== null && liveDims !== undefined && liveDims !== text.dims) {
      return {
        ok: false,
        detail: `index ${this.index} has ${liveDims}-d title_embedding; the bundle's ${text.id} gives ${text.dims}`,
      };
    }
    return { ok: true, detail: `index ${this.index} exists` };
  }

  async close(): Promise<void> {
    await this.textEncoder?.close();
    await this.imageEncoder?.close();
    await this.client.close();
    await rm(await this.tempDir, { recursive: true, force: true });
  }
}

function isIndexMissing(err: unknown): boolean {
  const body = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
  return body?.error?.type === 'index_not_found_exception';
}
