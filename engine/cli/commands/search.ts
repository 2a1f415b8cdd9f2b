/**
 * `rwb search "<query>" --tenant 1`: one search through the full engine (rewrite, domains,
 * language detection, translation, query vector, builder, ES, formatter), printed as a table or
 * as the API's JSON response.
 */
import { Option, type Command } from 'commander';
import { loadConfigFile, type LoadedSearchConfig } from '../../config/config-file.ts';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { defaultSearchConfig } from '../../config/search-config.ts';
import { createTextEncoder, type TextEncoder } from '../../embed/index.ts';
import { defaultConfigForIndex } from '../../search/index-default-config.ts';
import { createEsClient } from '../../es/client.ts';
import { SEARCH_PRODUCTS_INDEX } from '../../es/index-body.ts';
import { RwbError } from '../../errors.ts';
import type { QueryEmbedder } from '../../query/query-parser.ts';
import { createTranslatorWithDeepl } from '../../query/translation/deepl-translator.ts';
import type { FilterValue, RangeFilter, SpecificationPair } from '../../search/request-schema.ts';
import { search } from '../../search/searcher.ts';
import { renderSearchTable } from './search-output.ts';
import { redactUrl } from '../../net/redact.ts';
import { wholeNumberFlag } from '../flags.ts';
import {
  englishCoverage,
  missingTranslatorReason,
  untranslatedEnglishNotice,
} from '../../search/translation-notice.ts';
import { translatorSecretsFromEnv } from '../../query/translation/translator.ts';
import type { Client } from '@elastic/elasticsearch';
import type { TranslationSettings } from '../../config/search-config-schema.ts';

/**
 * The "no translator and no English titles" notice for this tenant, or null. Best effort: one
 * size-0 request, asked only when there is no translator; if it fails, the search itself reports.
 */
export async function translationNoticeFor(
  client: Client,
  index: string,
  tenantId: string,
  settings: TranslationSettings,
  deeplApiKey = translatorSecretsFromEnv().deeplApiKey,
): Promise<string | null> {
  const reason = missingTranslatorReason(settings, deeplApiKey);
  if (reason === null) return null;
  try {
    const coverage = await englishCoverage(client, index, { tenantId });
    return untranslatedEnglishNotice(reason, coverage, `tenant ${tenantId}`);
  } catch {
    return null;
  }
}

interface SearchFlags {
  tenant: string;
  config?: string;
  es?: string;
  index?: string;
  filter?: string[];
  facet?: string[];
  size?: string;
  from?: string;
  sort?: string;
  language?: string;
  explain?: boolean;
  vector: boolean;
  json?: boolean;
}

/** A SearchConfig file, or a bundle (its config and index): engine/config's one loader. */
export async function loadConfigOrBundle(file: string | undefined): Promise<LoadedSearchConfig> {
  if (file === undefined) {
    return { config: defaultSearchConfig(), kind: 'config', source: 'the default config' };
  }
  return loadConfigFile(file);
}

const RANGE = /^(.*?)\.\.(.*)$/;

function rangeBound(text: string): number | string {
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

/**
 * `--filter` values: `field=value` (repeat the field for any-of), `field=10..100` / `field=..100`
 * / `field=2024-01-01..` (ranges), `spec.color=red` or `specifications.color=red`.
 */
export function parseFilterFlags(
  flags: readonly string[],
): Record<string, FilterValue | SpecificationPair[]> {
  const filters: Record<string, FilterValue | SpecificationPair[]> = {};
  const specs: SpecificationPair[] = [];
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      throw new RwbError(
        'INVALID_INPUT',
        `--filter "${flag}": expected field=value (e.g. category1_name=手机, min_price=10..100, spec.color=red)`,
      );
    }
    const field = flag.slice(0, eq).trim();
    const value = flag.slice(eq + 1).trim();
    const spec = /^(?:spec|specifications)\.(.+)$/.exec(field);
    if (spec !== null) {
      specs.push({ name: spec[1]!, value });
      continue;
    }
    const range = RANGE.exec(value);
    if (range !== null) {
      const [, low, high] = range;
      const bounds: RangeFilter = {};
      if (low !== '') bounds.gte = rangeBound(low!);
      if (high !== '') bounds.lte = rangeBound(high!);
      if (Object.keys(bounds).length === 0)
        throw new RwbError('INVALID_INPUT', `--filter "${flag}": a range needs at least one bound`);
      filters[field] = bounds;
      continue;
    }
    const existing = filters[field];
    if (existing === undefined) filters[field] = value;
    else if (Array.isArray(existing)) (existing as Array<string | number | boolean>).push(value);
    else if (typeof existing === 'string') filters[field] = [existing, value];
    else
      throw new RwbError('INVALID_INPUT', `--filter "${flag}": ${field} is already a range filter`);
  }
  if (specs.length > 0) filters.specifications = specs;
  return filters;
}

export function registerSearchCommands(program: Command): void {
  program
    .command('search')
    .summary('run one search through the full query engine')
    .description(
      'Search one tenant through the full engine: rewrite dictionary, domain syntax (title:…), AND/OR/ANDNOT/RANK, ' +
        'language detection, translation (glossary; DeepL with RWB_DEEPL_API_KEY), query vector when the config enables ' +
        'text embedding, filters, facets, ranking expression. Prints a table, or the search API response with --json. ' +
        'Says (a Notice line; on stderr with --json) when no translator is configured and the tenant has no English titles.',
    )
    .argument('[query]', 'the query (empty: browse with filters only)', '')
    .requiredOption('--tenant <id>', 'tenant whose products are searched')
    .option(
      '--config <file>',
      'SearchConfig (.json/.yaml) or exported bundle (default: the config proposed for the index — the built-in default, with embeddings when the index has vectors, and the measured English levers for an English-only index; docs/search-config.md)',
    )
    .option('--es <url>', 'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200)')
    .option('--index <name>', `index (default: the bundle's index, else ${SEARCH_PRODUCTS_INDEX})`)
    .option(
      '--filter <field=value...>',
      'filter: field=value, field=10..100, spec.color=red (repeatable)',
    )
    .option(
      '--facet <field...>',
      'facet: category1_name, specifications, specifications.color, min_price (default: the config facets)',
    )
    .option('--size <n>', 'results per page (default: config result.defaultSize)')
    .option('--from <n>', 'offset of the first result', '0')
    .option('--sort <expr>', '_score, field:asc|desc, or a sort option id of the config')
    .option('--language <code>', 'treat the query as this language instead of detecting it')
    .option('--explain', 'split each score into lexical (per field), kNN and function parts')
    .option(
      '--no-vector',
      'do not compute a query vector even if the config enables text embedding',
    )
    .addOption(new Option('--json', 'print the search API response as JSON'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rwb search "蓝牙耳机" --tenant 1\n' +
        '  rwb search "title:laptop ANDNOT brand:acme" --tenant icecat --config tuned.yaml --facet specifications.color\n' +
        '  rwb search "" --tenant 1 --filter category1_name=手机 --filter min_price=100..500 --json\n',
    )
    .action(async (query: string, flags: SearchFlags) => {
      const loaded = await loadConfigOrBundle(flags.config);
      const env = esConnectionFromEnv();
      const url = flags.es ?? env.url;
      const index = flags.index ?? loaded.index ?? SEARCH_PRODUCTS_INDEX;
      const client = createEsClient({ ...env, url });
      // Without --config: the default, with query vectors when the index holds title vectors.
      const indexDefault =
        flags.config === undefined ? await defaultConfigForIndex(client, index) : null;
      const config = indexDefault?.config ?? loaded.config;
      if (indexDefault?.textModel)
        loaded.source = `the default config, query vectors by ${indexDefault.textModel}`;
      const request: Record<string, unknown> = {
        tenantId: flags.tenant,
        query,
        from: wholeNumberFlag('--from', flags.from),
      };
      if (flags.filter !== undefined) request.filters = parseFilterFlags(flags.filter);
      if (flags.facet !== undefined) request.facets = flags.facet;
      const size = wholeNumberFlag('--size', flags.size);
      if (size !== undefined) request.size = size;
      if (flags.sort !== undefined) request.sort = flags.sort;
      if (flags.language !== undefined) request.language = flags.language;
      if (flags.explain) request.explain = true;

      const translator = createTranslatorWithDeepl(config.query.translation);
      let encoder: TextEncoder | null = null;
      let embedder: QueryEmbedder | undefined;
      if (flags.vector && config.query.textEmbedding.enabled && query.trim() !== '') {
        const model = await createTextEncoder({ model: config.query.textEmbedding.model });
        encoder = model;
        embedder = async (text) => (await model.encodeQueries([text]))[0]!;
      }
      try {
        const notice = await translationNoticeFor(
          client,
          index,
          flags.tenant,
          config.query.translation,
        );
        const response = await search(client, index, request, config, {
          translator,
          ...(embedder === undefined ? {} : { embedder }),
          url: redactUrl(url),
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
          // stdout stays one valid JSON document; the notice goes to stderr.
          if (notice !== null) process.stderr.write(`notice: ${notice}\n`);
        } else
          process.stdout.write(
            `Index:        ${index} at ${redactUrl(url)} (config: ${loaded.source})\n${renderSearchTable(response, 48, notice === null ? [] : [notice])}`,
          );
      } finally {
        await encoder?.close();
        await client.close();
      }
    });
}
