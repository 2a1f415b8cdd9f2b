/**
 * `rwb serve --config bundle.json`: the production search API over an exported bundle, and
 * `rwb export`: write that bundle from a config (and the live index, when it exists).
 */
import type { Command } from 'commander';
import { exportBundle, writeBundle } from '../../config/bundle.ts';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { createEsClient } from '../../es/client.ts';
import { DEFAULT_SERVE_LIMITS, startSearchApi, type ServeLimits } from '../../serve/index.ts';
import { loadConfigOrBundle } from './search.ts';
import { defaultConfigForIndex } from '../../search/index-default-config.ts';
import { wholeNumberFlag } from '../flags.ts';
import { ParseModeSchema, type ParseMode } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';

/** `--parse-mode strict|lenient`; absent: the bundle's query.parseMode. Anything else is a usage error. */
export function parseModeFlag(value: string | undefined): ParseMode | undefined {
  if (value === undefined) return undefined;
  const parsed = ParseModeSchema.safeParse(value.trim());
  if (!parsed.success)
    throw new RwbError('INVALID_INPUT', `--parse-mode must be strict or lenient, got "${value}"`);
  return parsed.data;
}

interface ServeFlags {
  config: string;
  es?: string;
  port: string;
  host: string;
  index?: string;
  imageModel?: string;
  threads?: string;
  esTimeoutMs: string;
  parseMode?: string;
  bodyLimit?: string;
  maxImageBytes?: string;
  headersTimeoutMs?: string;
  requestTimeoutMs?: string;
  keepAliveTimeoutMs?: string;
  maxConnections?: string;
}

/** The limit flags of `rwb serve`: flag, ServeLimits key, help. Defaults come from DEFAULT_SERVE_LIMITS. */
const LIMIT_FLAGS: ReadonlyArray<
  [flag: string, key: keyof ServeLimits & keyof ServeFlags, help: string]
> = [
  ['--body-limit <bytes>', 'bodyLimit', 'largest JSON body; larger is 413'],
  ['--max-image-bytes <bytes>', 'maxImageBytes', 'largest uploaded image; larger is 413'],
  [
    '--headers-timeout-ms <n>',
    'headersTimeoutMs',
    'time to send the request headers; later is 408',
  ],
  [
    '--request-timeout-ms <n>',
    'requestTimeoutMs',
    'time to send the whole request (headers and body); later is 408',
  ],
  [
    '--keep-alive-timeout-ms <n>',
    'keepAliveTimeoutMs',
    'how long an idle kept-alive connection stays open',
  ],
  ['--max-connections <n>', 'maxConnections', 'concurrent connections; more are closed at once'],
];

function limitsFromFlags(flags: ServeFlags): Partial<ServeLimits> {
  const limits: Partial<ServeLimits> = {};
  for (const [flag, key] of LIMIT_FLAGS) {
    const value = wholeNumberFlag(flag.split(' ')[0]!, flags[key], { min: 1 });
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

interface ExportFlags {
  config?: string;
  out: string;
  index: string;
  es?: string;
  live: boolean;
  templateId?: string;
}

function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => () => resolve(signal);
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
  });
}

export function registerServeCommands(program: Command): void {
  const serve = program
    .command('serve')
    .summary('run the production search API over an exported bundle')
    .description(
      'Serve an exported bundle as the production search API (fastify): POST /search, POST /search/image (multipart), ' +
        'GET /documents/:spu_id, GET /health, GET /metrics (Prometheus), GET /docs (OpenAPI); the same three under /v1/ in the ' +
        "seed's storefront shape (snake_case request, title and skus[].sku). Every request names its tenant " +
        'with the X-Tenant-ID header or ?tenant_id=. The bundle is used as is; the DeepL key, if any, comes from RWB_DEEPL_API_KEY. ' +
        'Every size limit and timeout is listed in docs/serve.md.',
    )
    .requiredOption('--config <bundle>', 'exported bundle (.json/.yaml), see `rwb export`')
    .option(
      '--es <url>',
      'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200); credentials from RWB_ES_API_KEY / RWB_ES_USERNAME+RWB_ES_PASSWORD',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--index <name>', "index to search (default: the bundle's)")
    .option(
      '--image-model <path>',
      'vision tower .onnx on this machine (default: the path recorded in the bundle)',
    )
    .option('--threads <n>', 'ONNX threads for the text model (default: cores, at most 4)')
    .option(
      '--es-timeout-ms <n>',
      'per-request Elasticsearch timeout; slower answers are 504',
      '10000',
    )
    .option(
      '--parse-mode <mode>',
      "strict (a query that is not a valid expression is 400) or lenient (searched as plain text); default: the bundle's query.parseMode",
    );
  for (const [flag, key, help] of LIMIT_FLAGS)
    serve.option(flag, `${help} (default ${DEFAULT_SERVE_LIMITS[key]})`);
  serve.action(async (flags: ServeFlags) => {
    const env = esConnectionFromEnv();
    const threads = wholeNumberFlag('--threads', flags.threads, { min: 1, max: 64 });
    const parseMode = parseModeFlag(flags.parseMode);
    const api = await startSearchApi({
      bundle: flags.config,
      es: {
        ...env,
        url: flags.es ?? env.url,
        requestTimeoutMs: wholeNumberFlag('--es-timeout-ms', flags.esTimeoutMs, {
          min: 100,
          max: 600_000,
        })!,
      },
      host: flags.host,
      port: wholeNumberFlag('--port', flags.port, { min: 0, max: 65_535 })!,
      ...(flags.index === undefined ? {} : { index: flags.index }),
      ...(flags.imageModel === undefined ? {} : { imageModelPath: flags.imageModel }),
      ...(threads === undefined ? {} : { threads }),
      ...(parseMode === undefined ? {} : { parseMode }),
      ...limitsFromFlags(flags),
    });
    const { bundle } = api.service;
    process.stdout.write(
      `Search API for bundle "${bundle.config.name}" (exported ${bundle.createdAt}) on index ${api.service.index}\n` +
        `Listening on ${api.url}  ·  docs ${api.url}/docs  ·  health ${api.url}/health  ·  metrics ${api.url}/metrics\n`,
    );
    const health = await api.service.health();
    if (health.status !== 'ok') {
      const failing = Object.entries(health.checks).filter(([, check]) => !check.ok);
      process.stderr.write(
        `warning: not ready yet — ${failing.map(([name, check]) => `${name}: ${check.detail}`).join('; ')}\n`,
      );
    }
    const signal = await waitForShutdown();
    process.stdout.write(`${signal}: stopping\n`);
    await api.close();
  });

  program
    .command('export')
    .summary('export a search config as a bundle for `rwb serve` and other services')
    .description(
      'Write a versioned bundle: the SearchConfig, the index mapping actually used (read from the live index unless ' +
        '--no-live), an ES mustache search template of the default-domain query, and the model ids. Never contains secrets.',
    )
    .option(
      '--config <file>',
      'SearchConfig or bundle (.json/.yaml) (default: the config proposed for the index — the built-in default, with embeddings when the index has vectors, and the measured English levers for an English-only index; docs/search-config.md)',
    )
    .requiredOption('--out <file>', 'bundle file to write (.json, .yaml or .yml)')
    .option('--index <name>', 'index the bundle searches', 'search_products')
    .option('--es <url>', 'Elasticsearch URL of the live index (env RWB_ES_URL)')
    .option('--no-live', 'do not read the live index; use the mapping template with core analysis')
    .option('--template-id <id>', 'stored-script id of the search template')
    .action(async (flags: ExportFlags) => {
      const loaded = await loadConfigOrBundle(flags.config);
      const env = esConnectionFromEnv();
      const url = flags.es ?? env.url;
      const client = flags.live ? createEsClient({ ...env, url }) : undefined;
      try {
        // Without --config, a live export starts from the default with the index's text model on.
        const config =
          flags.config === undefined && client
            ? (await defaultConfigForIndex(client, flags.index)).config
            : loaded.config;
        const bundle = await exportBundle({
          config,
          index: flags.index,
          ...(client === undefined ? {} : { client, url }),
          ...(flags.templateId === undefined ? {} : { templateId: flags.templateId }),
        });
        await writeBundle(flags.out, bundle);
        process.stdout.write(
          `Wrote ${flags.out}: config "${bundle.config.name}", index ${bundle.index}, text model ${bundle.models.text?.id ?? 'none'}, image model ${bundle.models.image?.id ?? 'none'}\n` +
            `Serve it with: rwb serve --config ${flags.out}\n`,
        );
      } finally {
        await client?.close();
      }
    });
}
