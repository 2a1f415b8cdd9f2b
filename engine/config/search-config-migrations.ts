/**
 * Older SearchConfig files load: each migration lifts a raw object one schema version up, and
 * `migrateSearchConfig` chains them until the current version. Add a version by bumping
 * SEARCH_CONFIG_SCHEMA_VERSION and adding one entry to the table — never edit an old entry.
 *
 * Version 0 is the seed's YAML (seed §2.2/§4/§5.3): `indexes`, `query_config`, `ranking` with
 * snake_case keys and no `schemaVersion`.
 */
import { RwbError } from '../errors.ts';
import { KNOWN_ANALYZERS, SEARCH_CONFIG_SCHEMA_VERSION } from './search-config-schema.ts';

type RawObject = Record<string, unknown>;

export interface SearchConfigMigration {
  from: number;
  to: number;
  description: string;
  /** `origin`: the schema version the file was written in (the chain starts there). */
  migrate(raw: RawObject, warn: (message: string) => void, origin: number): RawObject;
}

export interface MigrationResult {
  value: RawObject;
  fromVersion: number;
  /** Things dropped or changed on the way, for the user to review. */
  warnings: string[];
}

function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `source[from]` to `target[to]` when present and removes it from `rest`. */
function move(
  source: RawObject,
  from: string,
  target: RawObject,
  to: string,
  rest: Set<string>,
): void {
  if (source[from] !== undefined) target[to] = source[from];
  rest.delete(from);
}

function warnLeftovers(rest: Set<string>, where: string, warn: (message: string) => void): void {
  for (const key of rest)
    warn(`${where}${key} has no equivalent in schema version 1 and was dropped`);
}

function migrateSeedDomain(raw: unknown, index: number, warn: (message: string) => void): unknown {
  if (!isObject(raw)) return raw;
  const domain: RawObject = {};
  const rest = new Set(Object.keys(raw));
  for (const key of ['name', 'label', 'fields', 'analyzer', 'boost'])
    move(raw, key, domain, key, rest);
  // The seed's own index defines `chinese_ecommerce`; rwb's does not, so that name would fail
  // every search. Dropping it keeps each field's analyzer from the mapping.
  if (typeof domain.analyzer === 'string' && !KNOWN_ANALYZERS.has(domain.analyzer)) {
    warn(
      `indexes[${index}].analyzer "${domain.analyzer}" is not an analyzer of rwb's index and was dropped: each field's own analyzer is used`,
    );
    delete domain.analyzer;
  }
  move(raw, 'language_field_mapping', domain, 'languageFieldMapping', rest);
  // Unknown keys stay, so the schema names them instead of them vanishing.
  for (const key of rest) domain[key] = raw[key];
  return domain;
}

function migrateSeedQueryConfig(raw: RawObject, warn: (message: string) => void): RawObject {
  const query: RawObject = {};
  const rest = new Set(Object.keys(raw));
  move(raw, 'supported_languages', query, 'supportedLanguages', rest);
  move(raw, 'default_language', query, 'defaultLanguage', rest);

  const rewrite: RawObject = {};
  move(raw, 'enable_query_rewrite', rewrite, 'enabled', rest);
  move(raw, 'rewrite_dictionary', rewrite, 'dictionary', rest);
  if (Object.keys(rewrite).length > 0) query.rewrite = rewrite;

  const translation: RawObject = {};
  move(raw, 'translation_service', translation, 'provider', rest);
  if (raw.enable_translation === false) translation.provider = 'none';
  rest.delete('enable_translation');
  if (raw.translation_api_key !== undefined) {
    rest.delete('translation_api_key');
    if (raw.translation_api_key !== null && raw.translation_api_key !== '') {
      warn(
        'query_config.translation_api_key was dropped: keys never live in a config; set RWB_DEEPL_API_KEY instead',
      );
    }
  }
  if (Object.keys(translation).length > 0) query.translation = translation;

  if (raw.enable_text_embedding !== undefined)
    query.textEmbedding = { enabled: raw.enable_text_embedding };
  rest.delete('enable_text_embedding');
  warnLeftovers(rest, 'query_config.', warn);
  return query;
}

const seedYamlToV1: SearchConfigMigration = {
  from: 0,
  to: 1,
  description: 'seed YAML (indexes/query_config/ranking, snake_case) → schema version 1',
  migrate(raw, warn) {
    const next: RawObject = { schemaVersion: 1 };
    const rest = new Set(Object.keys(raw));
    if (raw.indexes !== undefined) {
      next.domains = Array.isArray(raw.indexes)
        ? raw.indexes.map((domain, i) => migrateSeedDomain(domain, i, warn))
        : raw.indexes;
    }
    rest.delete('indexes');
    if (isObject(raw.query_config)) next.query = migrateSeedQueryConfig(raw.query_config, warn);
    rest.delete('query_config');
    if (isObject(raw.ranking)) {
      const ranking: RawObject = {};
      const rankingRest = new Set(Object.keys(raw.ranking));
      move(raw.ranking, 'expression', ranking, 'expression', rankingRest);
      move(raw.ranking, 'description', ranking, 'description', rankingRest);
      warnLeftovers(rankingRest, 'ranking.', warn);
      next.ranking = ranking;
    }
    rest.delete('ranking');
    for (const key of ['name', 'description']) move(raw, key, next, key, rest);
    warnLeftovers(rest, '', warn);
    return next;
  },
};

/**
 * Version 2 adds per-domain match types, proximity and fusion (all defaulting to version 1's
 * behaviour) and drops the implicit `minimumShouldMatch: "75%"`: the seed's multi_match has none.
 * A version 1 file that left it out meant 75%, so it is written in; a seed YAML passing through
 * version 1 never had it and stays without.
 */
const v1ToV2: SearchConfigMigration = {
  from: 1,
  to: 2,
  description:
    'schema version 1 → 2 (text match types, proximity, fusion; no implicit 75% minimum_should_match)',
  migrate(raw, _warn, origin) {
    const next: RawObject = { ...raw, schemaVersion: 2 };
    if (origin !== 1) return next;
    const ranking = isObject(raw.ranking) ? { ...raw.ranking } : {};
    if (ranking.minimumShouldMatch === undefined) ranking.minimumShouldMatch = '75%';
    next.ranking = ranking;
    return next;
  },
};

/** Migration from version N to N+1, by N. */
export const SEARCH_CONFIG_MIGRATIONS: Readonly<Record<number, SearchConfigMigration>> = {
  0: seedYamlToV1,
  1: v1ToV2,
};

export function schemaVersionOf(raw: RawObject): number {
  const version = raw.schemaVersion;
  if (version === undefined) return 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new RwbError(
      'INVALID_CONFIG',
      `schemaVersion must be a non-negative integer (got ${JSON.stringify(version)})`,
    );
  }
  return version;
}

export function migrateSearchConfig(raw: unknown): MigrationResult {
  if (!isObject(raw)) {
    throw new RwbError(
      'INVALID_CONFIG',
      raw === null || raw === undefined
        ? 'The search config is empty'
        : `A search config must be an object (got ${Array.isArray(raw) ? 'an array' : typeof raw})`,
    );
  }
  const fromVersion = schemaVersionOf(raw);
  if (fromVersion > SEARCH_CONFIG_SCHEMA_VERSION) {
    throw new RwbError(
      'INVALID_CONFIG',
      `This search config has schemaVersion ${fromVersion}, newer than this build reads (${SEARCH_CONFIG_SCHEMA_VERSION}); update Relevance Workbench`,
      { schemaVersion: fromVersion, supported: SEARCH_CONFIG_SCHEMA_VERSION },
    );
  }
  const warnings: string[] = [];
  let value = raw;
  for (let version = fromVersion; version < SEARCH_CONFIG_SCHEMA_VERSION; version++) {
    const migration = SEARCH_CONFIG_MIGRATIONS[version];
    if (migration === undefined) {
      throw new RwbError('INTERNAL', `No migration from search config schema version ${version}`);
    }
    value = migration.migrate(value, (message) => warnings.push(message), fromVersion);
  }
  return { value, fromVersion, warnings };
}
