/** Reading and writing SearchConfig files; the format follows the extension (.json, .yaml/.yml). */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { RwbError } from '../errors.ts';
import { renderIssue } from './config-issues.ts';
import { rawDocumentIssue } from './raw-document.ts';
import { parseSearchConfig, type ParseSearchConfigOptions } from './search-config-parse.ts';
import type { SearchConfig } from './search-config-schema.ts';

export type ConfigFormat = 'json' | 'yaml';

export function configFormatOf(path: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  throw new RwbError(
    'INVALID_INPUT',
    `Cannot tell the format of ${path}: use a .json, .yaml or .yml extension`,
    { path, extension },
  );
}

/** Aliases one YAML document may expand; a "billion laughs" file needs far more. */
export const MAX_YAML_ALIASES = 100;

function configError(source: string, message: string, details: object = {}): RwbError {
  return new RwbError('INVALID_CONFIG', `${source} ${message}`, { source, ...details });
}

function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first !== undefined) {
    const at = first.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    throw configError(source, `is not valid YAML${where}: ${first.message.split('\n')[0]}`, {
      line: at?.line,
      column: at?.col,
    });
  }
  if (document.contents === null) throw configError(source, 'is empty');
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (err) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (billion laughs).
    throw configError(
      source,
      `is not a usable YAML document: ${(err as Error).message} (at most ${MAX_YAML_ALIASES} alias expansions)`,
    );
  }
}

/** Parses config text without validating it (the caller runs parseSearchConfig on the result). */
function parseText(text: string, format: ConfigFormat, source: string): unknown {
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw configError(source, 'is empty');
  let raw: unknown;
  if (format === 'json') {
    try {
      raw = JSON.parse(body) as unknown;
    } catch (err) {
      throw configError(source, `is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    raw = parseYaml(body, source);
  }
  const issue = rawDocumentIssue(raw);
  if (issue !== null) {
    throw configError(source, `cannot be used: ${renderIssue(issue)}`, { issues: [issue] });
  }
  return raw;
}

/** JSON/YAML text → plain data, with line/column errors; no validation (bundles use it too). */
export function parseConfigDocument(text: string, format: ConfigFormat, source: string): unknown {
  return parseText(text, format, source);
}

/** Text (from an editor, an upload) → validated SearchConfig. */
export function parseSearchConfigText(
  text: string,
  format: ConfigFormat,
  options: ParseSearchConfigOptions = {},
): SearchConfig {
  const source = options.source ?? `the ${format.toUpperCase()} config`;
  return parseSearchConfig(parseText(text, format, source), { ...options, source });
}

export function serializeSearchConfig(config: SearchConfig, format: ConfigFormat): string {
  return format === 'json'
    ? `${JSON.stringify(config, null, 2)}\n`
    : stringify(config, { lineWidth: 0 });
}

export async function loadSearchConfig(
  path: string,
  options: Omit<ParseSearchConfigOptions, 'source'> = {},
): Promise<SearchConfig> {
  const format = configFormatOf(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new RwbError('NOT_FOUND', `Search config ${path} does not exist`, { path });
    throw new RwbError(
      'INVALID_INPUT',
      `Cannot read search config ${path}: ${(err as Error).message}`,
      { path },
    );
  }
  return parseSearchConfigText(text, format, { ...options, source: path });
}

/**
 * Validates, then writes atomically (temp file + rename) so a crash never leaves half a config.
 * Returns the config as written (defaults filled in).
 */
export async function saveSearchConfig(path: string, config: SearchConfig): Promise<SearchConfig> {
  const format = configFormatOf(path);
  const valid = parseSearchConfig(config, { source: path });
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, serializeSearchConfig(valid, format), 'utf8');
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new RwbError(
      'INVALID_INPUT',
      `Cannot write search config ${path}: ${(err as Error).message}`,
      { path },
    );
  }
  return valid;
}
