/**
 * The one way a config file is read (`rwb search --config`, `rwb eval --config`, `rwb serve
 * --config`, …): a SearchConfig file or an exported bundle, JSON or YAML. A bundle gives its
 * config (checked against the bundle's own mapping) and the index it names.
 */
import { readFile } from 'node:fs/promises';
import { RwbError } from '../errors.ts';
import { parseBundle } from './bundle-parse.ts';
import type { FieldCatalog } from './search-config-fields.ts';
import { configFormatOf, parseConfigDocument } from './search-config-io.ts';
import { parseSearchConfig } from './search-config-parse.ts';
import type { SearchConfig } from './search-config-schema.ts';

export interface LoadedSearchConfig {
  config: SearchConfig;
  kind: 'config' | 'bundle';
  /** The index a bundle names (absent for a plain config). */
  index?: string;
  /** For messages: the path, or `bundle <path>`. */
  source: string;
}

export interface LoadConfigFileOptions {
  /** Index fields a plain config's fields must be one of (a bundle brings its own mapping). */
  knownFields?: FieldCatalog | readonly string[];
  onWarning?: (message: string) => void;
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RwbError('NOT_FOUND', `Config file ${file} does not exist`, { path: file });
    }
    const why = code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new RwbError('INVALID_INPUT', `Cannot read config file ${file}: ${why}`, { path: file });
  }
}

const isBundleDocument = (raw: unknown): boolean =>
  raw !== null && typeof raw === 'object' && Object.hasOwn(raw, 'bundleVersion');

/** Parsed config text (a SearchConfig or a bundle) → the SearchConfig, with where it came from. */
export function searchConfigFromDocument(
  raw: unknown,
  source: string,
  options: LoadConfigFileOptions = {},
): LoadedSearchConfig {
  if (isBundleDocument(raw)) {
    const bundle = parseBundle(raw, { source, onWarning: options.onWarning });
    return {
      config: bundle.config,
      kind: 'bundle',
      index: bundle.index,
      source: `bundle ${source}`,
    };
  }
  const config = parseSearchConfig(raw, {
    source,
    knownFields: options.knownFields,
    onWarning: options.onWarning,
  });
  return { config, kind: 'config', source };
}

/** Reads a SearchConfig or bundle file (.json, .yaml, .yml) and returns its SearchConfig. */
export async function loadConfigFile(
  file: string,
  options: LoadConfigFileOptions = {},
): Promise<LoadedSearchConfig> {
  const format = configFormatOf(file);
  const raw = parseConfigDocument(await readConfigText(file), format, file);
  return searchConfigFromDocument(raw, file, options);
}
