/**
 * SearchConfig: the one object analysts tune, compare and export (issue 3). This module is the
 * entry point others import:
 *
 *   const config = parseSearchConfig(JSON.parse(text), { knownFields: catalog });
 *   const config = await loadSearchConfig('tuned.yaml', { knownFields: catalog });
 *   await saveSearchConfig('export.json', config);
 */
export * from './search-config-schema.ts';
export { defaultSearchConfig } from './search-config-defaults.ts';
export {
  parseSearchConfig,
  validateSearchConfig,
  type ParseSearchConfigOptions,
} from './search-config-parse.ts';
export {
  checkSearchConfigFields,
  fieldCatalogFromMapping,
  fieldCatalogFromNames,
  loadMappingFieldCatalog,
  DEFAULT_MAPPING_PATH,
  type FieldCatalog,
} from './search-config-fields.ts';
export {
  migrateSearchConfig,
  SEARCH_CONFIG_MIGRATIONS,
  type MigrationResult,
  type SearchConfigMigration,
} from './search-config-migrations.ts';
export { checkSearchConfigRules } from './search-config-rules.ts';
export { formatPath, type ConfigIssue } from './config-issues.ts';
export {
  configFormatOf,
  loadSearchConfig,
  parseSearchConfigText,
  saveSearchConfig,
  serializeSearchConfig,
  type ConfigFormat,
} from './search-config-io.ts';
