/**
 * The exported bundle: everything production needs to serve what an analyst tuned, in one
 * versioned JSON/YAML file that `rwb serve --config bundle.json` and other services load as is.
 *
 *   bundleVersion   format version (migrations in bundle-parse.ts)
 *   createdAt       ISO time of the export; generator: "relevance-workbench <version>"
 *   index           the index name searched
 *   config          the SearchConfig (camelCase, schemaVersion inside)
 *   mapping         the create-index body actually used: mappings/search_products.json with
 *                   analysis and vector dims filled (read from the live index when exported
 *                   with a client, else built for core analysis)
 *   searchTemplate  an ES mustache search template of the default-domain query (bundle-template.ts;
 *                   needs lang-mustache, which the embedded integ-test runtime lacks)
 *   models          text model id + dims (query vectors), image tower id + dims + path
 *
 * No secrets, ever: a DeepL key, ES API keys or passwords are refused on write and on load.
 *
 * API (what the Export screen and the CLI call):
 *
 *   const bundle = await exportBundle({ config, index: 'search_products', client });
 *   await writeBundle('export/bundle.json', bundle);          // .json, .yaml or .yml
 *   const loaded = await loadBundle('export/bundle.json');    // validated, errors name paths
 *   const changes = diffBundles(previous, loaded);            // [{ path, kind, before, after }]
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { stringify } from 'yaml';
import { getModelSpec } from '../embed/registry.ts';
import { coreAnalysis, type AnalysisChoice } from '../es/analysis.ts';
import { esErrorToRwb } from '../es/client.ts';
import { buildIndexBody, SEARCH_PRODUCTS_INDEX, type IndexMeta } from '../es/index-body.ts';
import { RwbError } from '../errors.ts';
import { diffConfigs, type ConfigChange } from '../eval/experiments-diff.ts';
import { searchFieldsFromMapping } from '../search/fields.ts';
import { parseBundle, type ParseBundleOptions } from './bundle-parse.ts';
import {
  BUNDLE_VERSION,
  type Bundle,
  type BundleMapping,
  type BundleModels,
} from './bundle-schema.ts';
import { buildSearchTemplate } from './bundle-template.ts';
import { configFormatOf, parseConfigDocument, type ConfigFormat } from './search-config-io.ts';
import { parseSearchConfig } from './search-config-parse.ts';

export * from './bundle-schema.ts';
export {
  parseBundle,
  findBundleSecrets,
  BUNDLE_MIGRATIONS,
  type BundleMigration,
  type ParseBundleOptions,
} from './bundle-parse.ts';
export { buildSearchTemplate, renderSearchTemplate, templateLanguages } from './bundle-template.ts';

export const BUNDLE_GENERATOR = 'relevance-workbench 0.1.0';

export interface ExportBundleOptions {
  /** The SearchConfig to export (validated again here). */
  config: unknown;
  /** Index the bundle searches (default search_products). */
  index?: string;
  /** A client of the cluster holding the index: its live mapping and analysis go into the bundle. */
  client?: Client;
  /** Cluster URL, for messages only. */
  url?: string;
  /** Without a client: the analysis to fill the mapping with (default: core analysis). */
  analysis?: AnalysisChoice;
  /** Override of the text/image vector dims (default: from the live index or the model registry). */
  textDims?: number;
  imageDims?: number;
  /** Name of the image tower (default: the index's recorded image model, else the file name). */
  imageModelId?: string;
  /** Stored-script id of the search template (default rwb-<config name>). */
  templateId?: string;
  /** Fixed time for reproducible exports (tests). */
  createdAt?: string;
}

interface LiveIndex {
  mapping: BundleMapping;
  meta: Partial<IndexMeta>;
}

const SETTINGS_KEPT = ['number_of_shards', 'number_of_replicas', 'max_result_window'] as const;

async function readLiveIndex(client: Client, index: string, url: string): Promise<LiveIndex> {
  let response: estypes.IndicesGetResponse;
  try {
    response = await client.indices.get({ index });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) {
      throw new RwbError(
        'NOT_FOUND',
        `Index ${index} does not exist at ${url}; ingest into it first, or export without a cluster to use the mapping template`,
        { index },
      );
    }
    throw esErrorToRwb(err, url, `reading index ${index} for the export`);
  }
  const state = Object.values(response)[0];
  if (state === undefined) throw new RwbError('NOT_FOUND', `Index ${index} returned no mapping`);
  const indexSettings = (state.settings?.index ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of SETTINGS_KEPT)
    if (indexSettings[key] !== undefined) kept[key] = indexSettings[key];
  const settings: Record<string, unknown> = { index: kept };
  if (indexSettings.analysis !== undefined) settings.analysis = indexSettings.analysis;
  const mappings = (state.mappings ?? {}) as BundleMapping['mappings'];
  return {
    mapping: { settings, mappings: { ...mappings, properties: mappings.properties ?? {} } },
    meta: (mappings._meta ?? {}) as Partial<IndexMeta>,
  };
}

function mappedDims(mapping: BundleMapping, field: 'text' | 'image'): number | null {
  const props = mapping.mappings.properties as Record<
    string,
    { dims?: number; properties?: Record<string, { dims?: number }> }
  >;
  const dims =
    field === 'text'
      ? props.title_embedding?.dims
      : props.image_embedding?.properties?.vector?.dims;
  return typeof dims === 'number' ? dims : null;
}

function registryDims(model: string): number | null {
  try {
    return getModelSpec(model).dims;
  } catch {
    return null;
  }
}

/** `query.imageKnn.model` may name the vision .onnx or a directory holding vision.onnx. */
export function visionModelPathOf(model: string): string {
  return model.toLowerCase().endsWith('.onnx') ? model : path.join(model, 'vision.onnx');
}

/** Builds a validated bundle from a config (and the live index, when a client is given). */
export async function exportBundle(options: ExportBundleOptions): Promise<Bundle> {
  const config = parseSearchConfig(options.config, { source: 'the exported config' });
  const index = options.index ?? SEARCH_PRODUCTS_INDEX;
  const url = options.url ?? 'the cluster';
  const createdAt = options.createdAt ?? new Date().toISOString();
  const { textEmbedding, imageKnn } = config.query;
  const live =
    options.client === undefined ? null : await readLiveIndex(options.client, index, url);

  if (
    live !== null &&
    textEmbedding.enabled &&
    live.meta.text_model &&
    live.meta.text_model !== textEmbedding.model
  ) {
    throw new RwbError(
      'INVALID_CONFIG',
      `Index ${index} holds vectors of ${live.meta.text_model}, but the config embeds queries with ${textEmbedding.model}; set query.textEmbedding.model to ${live.meta.text_model} or re-ingest`,
      { index, path: 'query.textEmbedding.model' },
    );
  }
  const textDims = textEmbedding.enabled
    ? (options.textDims ??
      (live && mappedDims(live.mapping, 'text')) ??
      registryDims(textEmbedding.model))
    : null;
  if (textEmbedding.enabled && textDims === null) {
    throw new RwbError(
      'INVALID_CONFIG',
      `Cannot tell the vector size of text model "${textEmbedding.model}": it is not in the model registry and no index says; pass textDims`,
      { path: 'query.textEmbedding.model' },
    );
  }
  const imageDims = imageKnn.enabled
    ? (options.imageDims ?? (live && mappedDims(live.mapping, 'image')) ?? null)
    : null;
  const imageModelId = imageKnn.enabled
    ? (options.imageModelId ??
      live?.meta.image_model ??
      path.basename(imageKnn.model).replace(/\.onnx$/i, ''))
    : null;

  const mapping: BundleMapping =
    live?.mapping ??
    (buildIndexBody({
      analysis: options.analysis ?? coreAnalysis(),
      textDims: textEmbedding.enabled ? textDims : null,
      imageDims,
      textModel: textEmbedding.enabled ? textEmbedding.model : null,
      imageModel: imageModelId,
      createdAt,
    }) as unknown as BundleMapping);

  const models: BundleModels = {
    text: textEmbedding.enabled ? { id: textEmbedding.model, dims: textDims! } : null,
    image: imageKnn.enabled
      ? { id: imageModelId!, dims: imageDims, visionModelPath: visionModelPathOf(imageKnn.model) }
      : null,
  };
  const searchTemplate = buildSearchTemplate(config, {
    fields: searchFieldsFromMapping(mapping),
    ...(options.templateId === undefined ? {} : { id: options.templateId }),
  });
  const bundle = {
    bundleVersion: BUNDLE_VERSION,
    createdAt,
    generator: BUNDLE_GENERATOR,
    index,
    config,
    mapping,
    searchTemplate,
    models,
  };
  // Through JSON, so what is returned is exactly what a file would hold (and is checked like one).
  return parseBundle(JSON.parse(JSON.stringify(bundle)) as unknown, { source: 'the export' });
}

export function serializeBundle(bundle: Bundle, format: ConfigFormat): string {
  return format === 'json'
    ? `${JSON.stringify(bundle, null, 2)}\n`
    : stringify(bundle, { lineWidth: 0 });
}

/** Text → validated bundle. */
export function parseBundleText(
  text: string,
  format: ConfigFormat,
  options: ParseBundleOptions = {},
): Bundle {
  const source = options.source ?? `the ${format.toUpperCase()} bundle`;
  return parseBundle(parseConfigDocument(text, format, source), { ...options, source });
}

/** Reads and validates a bundle file (.json, .yaml, .yml); errors name the file and the path. */
export async function loadBundle(
  file: string,
  options: Omit<ParseBundleOptions, 'source'> = {},
): Promise<Bundle> {
  const format = configFormatOf(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RwbError('NOT_FOUND', `Bundle ${file} does not exist`, { path: file });
    }
    throw new RwbError('INVALID_INPUT', `Cannot read bundle ${file}: ${(err as Error).message}`, {
      path: file,
    });
  }
  return parseBundleText(text, format, { ...options, source: file });
}

/** Validates (secrets refused), then writes atomically; the format follows the extension. */
export async function writeBundle(file: string, bundle: Bundle): Promise<Bundle> {
  const format = configFormatOf(file);
  const valid = parseBundle(JSON.parse(JSON.stringify(bundle)) as unknown, { source: file });
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, serializeBundle(valid, format), 'utf8');
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new RwbError('INVALID_INPUT', `Cannot write bundle ${file}: ${(err as Error).message}`, {
      path: file,
    });
  }
  return valid;
}

/** exportBundle + writeBundle in one call. */
export async function exportBundleToFile(
  file: string,
  options: ExportBundleOptions,
): Promise<Bundle> {
  return writeBundle(file, await exportBundle(options));
}

export type BundleChange = ConfigChange;

/**
 * What differs between two bundles (export time and generator ignored), as readable paths:
 * `config.domains.title.boost: 2 → 3`, `models.text.id`, `mapping.mappings.properties.title_en.analyzer`.
 * Domains, fields and facets are matched by name, so an insertion does not shift every later one.
 */
export function diffBundles(a: Bundle, b: Bundle): BundleChange[] {
  const comparable = (bundle: Bundle) => ({
    bundleVersion: bundle.bundleVersion,
    index: bundle.index,
    config: bundle.config,
    mapping: { ...bundle.mapping, mappings: withoutCreatedAt(bundle.mapping.mappings) },
    searchTemplate: bundle.searchTemplate,
    models: bundle.models,
  });
  return diffConfigs(comparable(a), comparable(b));
}

/** The index `_meta.created_at` differs on every export from the template: not a change. */
function withoutCreatedAt(mappings: BundleMapping['mappings']): BundleMapping['mappings'] {
  const meta = mappings._meta as Record<string, unknown> | undefined;
  if (meta === undefined) return mappings;
  const { created_at: _ignored, ...rest } = meta;
  return { ...mappings, _meta: rest };
}
