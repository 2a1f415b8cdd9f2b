/**
 * Validating a bundle: version and migrations → secret scan → envelope schema → the SearchConfig
 * inside (its own migrations, rules, and fields checked against the bundle's own mapping) →
 * cross-checks between parts. Every problem is reported at once, by path (`config.domains[1].boost
 * must be > 0`, `models.text.dims …`).
 */
import { RwbError } from '../errors.ts';
import { BUNDLE_VERSION, BundleEnvelopeSchema, type Bundle } from './bundle-schema.ts';
import { renderSearchTemplate } from './bundle-template.ts';
import { formatPath, issuesFromZod, renderIssue, type ConfigIssue } from './config-issues.ts';
import { fieldCatalogFromMapping } from './search-config-fields.ts';
import { rawDocumentIssue } from './raw-document.ts';
import { parseSearchConfig } from './search-config-parse.ts';

type RawObject = Record<string, unknown>;

export interface BundleMigration {
  from: number;
  to: number;
  description: string;
  migrate(raw: RawObject, warn: (message: string) => void): RawObject;
}

/**
 * Migration from bundle version N to N+1, by N. Add a version by bumping BUNDLE_VERSION and adding
 * one entry; never edit an old one. (Version 1 is the first; older files do not exist yet.)
 */
export const BUNDLE_MIGRATIONS: Readonly<Record<number, BundleMigration>> = {};

export interface ParseBundleOptions {
  /** Where it came from (a file path), for messages. */
  source?: string;
  onWarning?: (message: string) => void;
  /** For tests of the migration chain. */
  migrations?: Readonly<Record<number, BundleMigration>>;
  /** Version this build writes (tests). */
  currentVersion?: number;
}

const isObject = (value: unknown): value is RawObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that would hold a secret. A bundle is handed to other teams and services: none may. */
const SECRET_KEY =
  /^(api_?key|apikey|auth_?key|deepl_?api_?key|secret|client_?secret|password|passwd|token|access_?token|credentials?|authorization)$/i;

/** Paths of every secret-looking key, and of values equal to a secret in this process's environment. */
export function findBundleSecrets(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
): ConfigIssue[] {
  const secretValues = new Set(
    ['RWB_DEEPL_API_KEY', 'RWB_ES_API_KEY', 'RWB_ES_PASSWORD', 'RWB_MYSQL_PASSWORD']
      .map((name) => env[name])
      .filter((value): value is string => typeof value === 'string' && value.length >= 6),
  );
  const issues: ConfigIssue[] = [];
  const visit = (value: unknown, path: Array<string | number>): void => {
    if (typeof value === 'string') {
      for (const secret of secretValues) {
        if (value.includes(secret)) {
          issues.push({
            path: formatPath(path),
            message: 'contains a secret from the environment',
          });
        }
      }
      if (/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value)) {
        issues.push({ path: formatPath(path), message: 'is a URL with a password in it' });
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      // Mapping field names are data, not settings: a product field may be called "token".
      const isMappingField = path.includes('properties');
      if (!isMappingField && SECRET_KEY.test(key)) {
        issues.push({
          path: formatPath([...path, key]),
          message: 'looks like a secret; secrets never go into a bundle',
        });
      }
      visit(child, [...path, key]);
    }
  };
  visit(raw, []);
  return issues;
}

export function bundleError(issues: readonly ConfigIssue[], source?: string): RwbError {
  const where = source === undefined ? 'Invalid bundle' : `Invalid bundle in ${source}`;
  return new RwbError(
    'INVALID_CONFIG',
    `${where}:\n${issues.map((issue) => `  - ${renderIssue(issue)}`).join('\n')}`,
    { source, issues },
  );
}

function migrateBundle(raw: RawObject, options: ParseBundleOptions): RawObject {
  const current = options.currentVersion ?? BUNDLE_VERSION;
  const migrations = options.migrations ?? BUNDLE_MIGRATIONS;
  const version = raw.bundleVersion;
  const where = options.source === undefined ? 'The bundle' : options.source;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    const hint =
      'schemaVersion' in raw || 'domains' in raw
        ? ' (this looks like a plain search config; export a bundle with `rwb export` or the Export screen)'
        : '';
    throw bundleError(
      [
        {
          path: 'bundleVersion',
          message: `must be a whole number (got ${JSON.stringify(version)})${hint}`,
        },
      ],
      options.source,
    );
  }
  if (version > current) {
    throw new RwbError(
      'INVALID_CONFIG',
      `${where} has bundleVersion ${version}, newer than this build reads (${current}); update Relevance Workbench`,
      { bundleVersion: version, supported: current },
    );
  }
  let value = raw;
  for (let from = version; from < current; from++) {
    const migration = migrations[from];
    if (migration === undefined) {
      throw new RwbError('INVALID_CONFIG', `${where}: no migration from bundle version ${from}`);
    }
    value = migration.migrate(value, (message) => options.onWarning?.(message));
  }
  return value;
}

function dimsOf(
  bundle: { mapping: { mappings: { properties: RawObject } } },
  path: string[],
): number | null {
  let node: unknown = bundle.mapping.mappings;
  for (const key of path) {
    if (!isObject(node)) return null;
    node = isObject(node.properties) ? node.properties[key] : undefined;
  }
  return isObject(node) && typeof node.dims === 'number' ? node.dims : null;
}

function prefixPath(prefix: string, path: string): string {
  if (path === '(root)') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** The template must render to JSON with its example params (and a vector of the right size). */
function checkTemplate(bundle: Bundle): ConfigIssue[] {
  const params: Record<string, unknown> = { ...bundle.searchTemplate.exampleParams };
  if (bundle.searchTemplate.params.query_vector !== undefined) {
    params.query_vector = new Array<number>(bundle.models.text?.dims ?? 1).fill(0);
  }
  try {
    JSON.parse(renderSearchTemplate(bundle.searchTemplate.source, params));
    return [];
  } catch (err) {
    return [
      {
        path: 'searchTemplate.source',
        message: `does not render to JSON with searchTemplate.exampleParams: ${(err as Error).message}`,
      },
    ];
  }
}

function crossCheck(bundle: Bundle): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { textEmbedding, imageKnn } = bundle.config.query;
  const text = bundle.models.text;
  if (textEmbedding.enabled && text === null) {
    issues.push({
      path: 'models.text',
      message: `is null but config.query.textEmbedding is on (model ${textEmbedding.model})`,
    });
  }
  if (text !== null) {
    if (textEmbedding.enabled && text.id !== textEmbedding.model) {
      issues.push({
        path: 'models.text.id',
        message: `is "${text.id}" but config.query.textEmbedding.model is "${textEmbedding.model}"`,
      });
    }
    const mapped = dimsOf(bundle, ['title_embedding']);
    if (mapped !== null && mapped !== text.dims) {
      issues.push({
        path: 'models.text.dims',
        message: `is ${text.dims} but the mapping's title_embedding has ${mapped} dims`,
      });
    }
  }
  const image = bundle.models.image;
  if (imageKnn.enabled && image === null) {
    issues.push({ path: 'models.image', message: 'is null but config.query.imageKnn is on' });
  }
  if (image !== null && image.dims !== null) {
    const mapped = dimsOf(bundle, ['image_embedding', 'vector']);
    if (mapped !== null && mapped !== image.dims) {
      issues.push({
        path: 'models.image.dims',
        message: `is ${image.dims} but the mapping's image_embedding.vector has ${mapped} dims`,
      });
    }
  }
  return issues;
}

/** Anything (parsed JSON/YAML) → a validated Bundle; throws one INVALID_CONFIG listing every problem. */
export function parseBundle(input: unknown, options: ParseBundleOptions = {}): Bundle {
  if (!isObject(input)) {
    throw bundleError(
      [
        {
          path: '(root)',
          message:
            input === null || input === undefined
              ? 'is empty'
              : `must be an object (got ${Array.isArray(input) ? 'an array' : typeof input})`,
        },
      ],
      options.source,
    );
  }
  const structural = rawDocumentIssue(input);
  if (structural !== null) throw bundleError([structural], options.source);
  const secrets = findBundleSecrets(input);
  if (secrets.length > 0) throw bundleError(secrets, options.source);
  const migrated = migrateBundle(input, options);

  const envelope = BundleEnvelopeSchema.safeParse(migrated);
  if (!envelope.success) throw bundleError(issuesFromZod(envelope.error), options.source);

  let config: Bundle['config'];
  try {
    config = parseSearchConfig(envelope.data.config, {
      knownFields: fieldCatalogFromMapping(envelope.data.mapping),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    });
  } catch (err) {
    if (!(err instanceof RwbError)) throw err;
    const details = err.details as { issues?: ConfigIssue[] } | undefined;
    const inner = details?.issues ?? [{ path: '(root)', message: err.message }];
    throw bundleError(
      inner.map((issue) => ({
        path: prefixPath('config', issue.path),
        message: issue.message,
      })),
      options.source,
    );
  }
  const bundle: Bundle = { ...envelope.data, config };
  const cross = [...crossCheck(bundle), ...checkTemplate(bundle)];
  if (cross.length > 0) throw bundleError(cross, options.source);
  return bundle;
}
