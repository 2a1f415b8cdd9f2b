/**
 * parseSearchConfig: migrate → schema → cross-field rules → mapping fields, all problems reported
 * together in one RwbError INVALID_CONFIG.
 */
import { RwbError } from '../errors.ts';
import { invalidConfigError, issuesFromZod, type ConfigIssue } from './config-issues.ts';
import { rawDocumentIssue } from './raw-document.ts';
import {
  checkSearchConfigFields,
  fieldCatalogFromNames,
  type FieldCatalog,
} from './search-config-fields.ts';
import { migrateSearchConfig } from './search-config-migrations.ts';
import { checkSearchConfigRules } from './search-config-rules.ts';
import { SearchConfigObjectSchema, type SearchConfig } from './search-config-schema.ts';

export interface ParseSearchConfigOptions {
  /** Index fields (names, or a catalog with types) every referenced field must be one of. */
  knownFields?: FieldCatalog | readonly string[];
  /** Where the config came from, for error messages (a file path). */
  source?: string;
  /** Receives what a migration from an older schema version dropped or changed. */
  onWarning?: (message: string) => void;
}

/** Keys that would hold a secret; a config is exported and shared, so none may carry one. */
const SECRET_KEY = /^(api_?key|auth_?key|secret|password|token|translation_api_key)$/i;

function findSecretKeys(raw: unknown): ConfigIssue[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const record = raw as Record<string, unknown>;
  const places: Array<[string, unknown]> = [
    ['', record],
    ['query.', record.query],
    ['query.translation.', (record.query as Record<string, unknown> | undefined)?.translation],
  ];
  const issues: ConfigIssue[] = [];
  for (const [prefix, value] of places) {
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      if (SECRET_KEY.test(key)) {
        issues.push({
          path: `${prefix}${key}`,
          message:
            'looks like a secret; keys never go into a search config (set RWB_DEEPL_API_KEY or use secure storage)',
        });
      }
    }
  }
  return issues;
}

function toCatalog(knownFields: FieldCatalog | readonly string[]): FieldCatalog {
  return Array.isArray(knownFields)
    ? fieldCatalogFromNames(knownFields as readonly string[])
    : (knownFields as FieldCatalog);
}

/**
 * Validates anything (parsed JSON/YAML, an API request body) into a SearchConfig, migrating older
 * schema versions first. Throws one RwbError INVALID_CONFIG listing every problem by path.
 */
export function parseSearchConfig(
  input: unknown,
  options: ParseSearchConfigOptions = {},
): SearchConfig {
  const structural = rawDocumentIssue(input);
  if (structural !== null) throw invalidConfigError([structural], options.source);
  const secretIssues = findSecretKeys(input);
  if (secretIssues.length > 0) throw invalidConfigError(secretIssues, options.source);

  let migrated: unknown;
  try {
    const result = migrateSearchConfig(input);
    for (const warning of result.warnings) options.onWarning?.(warning);
    migrated = result.value;
  } catch (err) {
    if (err instanceof RwbError && options.source !== undefined) {
      throw new RwbError(err.code, `${options.source}: ${err.message}`, err.details, {
        cause: err,
      });
    }
    throw err;
  }

  const parsed = SearchConfigObjectSchema.safeParse(migrated);
  if (!parsed.success) throw invalidConfigError(issuesFromZod(parsed.error), options.source);
  const config = parsed.data;

  const issues = checkSearchConfigRules(config);
  if (options.knownFields !== undefined)
    issues.push(...checkSearchConfigFields(config, toCatalog(options.knownFields)));
  if (issues.length > 0) throw invalidConfigError(issues, options.source);
  return config;
}

/** Like parseSearchConfig, but returns the problems instead of throwing (for editors and linting). */
export function validateSearchConfig(
  input: unknown,
  options: Omit<ParseSearchConfigOptions, 'source'> = {},
): { ok: true; config: SearchConfig } | { ok: false; issues: ConfigIssue[] } {
  try {
    return { ok: true, config: parseSearchConfig(input, options) };
  } catch (err) {
    if (err instanceof RwbError && err.code === 'INVALID_CONFIG') {
      const details = err.details as { issues?: ConfigIssue[] } | undefined;
      return { ok: false, issues: details?.issues ?? [{ path: '(root)', message: err.message }] };
    }
    throw err;
  }
}
