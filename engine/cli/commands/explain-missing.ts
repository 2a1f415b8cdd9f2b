/**
 * `rwb explain-missing --tenant icecat --config tuned.json "<query>" <spu_id>`: why a product is not
 * in the query's top k under a config. It goes through the operation table
 * (`search.explainMissing`) like every other surface; the human output puts the verdict first, then
 * the product's explain against the k-th hit's, then the levers.
 * Exit codes: 0 diagnosed, 2 bad input (flags, config, query), 1 NOT_FOUND (no such product in the
 * tenant, or no such index), 3 Elasticsearch unavailable.
 */
import { Option, type Command } from 'commander';
import { createApiContext } from '../../api/context.ts';
import { invoke } from '../../api/invoke.ts';
import type { OpOutput } from '../../api/operations.ts';
import { sessionOf } from '../../api/ops/workbench-session.ts';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { createEsClient } from '../../es/client.ts';
import { SEARCH_PRODUCTS_INDEX } from '../../es/index-body.ts';
import { redactUrl } from '../../net/redact.ts';
import { defaultConfigForIndex } from '../../search/index-default-config.ts';
import { wholeNumberFlag } from '../flags.ts';
import { loadConfigOrBundle, parseFilterFlags } from './search.ts';

interface ExplainMissingFlags {
  tenant: string;
  config?: string;
  es?: string;
  index?: string;
  filter?: string[];
  k?: string;
  depth?: string;
  language?: string;
  json?: boolean;
}

type Diagnosis = OpOutput<'search.explainMissing'>;

const num = (value: number): string => String(Math.round(value * 1000) / 1000);

/** The diagnosis as the analyst reads it. */
export function renderDiagnosis(d: Diagnosis, header: string): string {
  const lines: string[] = [header];
  lines.push(`Product:      ${d.spuId}${d.title === null ? '' : ` — ${d.title}`}`);
  lines.push(`Query:        "${d.query}" (tenant ${d.tenantId}, top ${d.k}, fusion ${d.fusion})`);
  const verdict =
    d.rank !== null
      ? `rank ${d.rank}${d.status === 'in_top_k' ? ' (in the top k)' : ''}`
      : d.status === 'beyond_depth'
        ? `matched, beyond rank ${d.depth}`
        : 'not matched';
  lines.push(`Verdict:      ${verdict}; ${d.matched} products match`);
  if (d.kth !== null)
    lines.push(
      `k-th hit:     #${d.kth.rank} ${d.kth.spuId}${d.kth.title === null ? '' : ` — ${d.kth.title}`} (score ${num(d.kth.score)})`,
    );
  lines.push('', 'Why:');
  for (const line of d.summary) lines.push(`  - ${line}`);
  if (d.explain.parts.length > 0) {
    lines.push(
      '',
      `Explain        ${'this product'.padStart(12)} ${'k-th hit'.padStart(10)} ${'delta'.padStart(10)}`,
    );
    for (const part of d.explain.parts)
      lines.push(
        `  ${part.part.padEnd(26)} ${num(part.target).padStart(10)} ${num(part.kth).padStart(10)} ${num(part.delta).padStart(10)}`,
      );
  }
  if (d.text.length > 0) {
    lines.push('', 'Text per field (query terms the product holds):');
    for (const term of d.text) {
      lines.push(
        `  ${term.domain} "${term.text}" (${term.type}, operator ${term.operator}, needs ${term.required ?? '?'} of ${term.tokens}):`,
      );
      for (const field of term.fields)
        lines.push(
          `    ${field.field.padEnd(20)} boost ${num(field.boost).padEnd(6)} has ${field.matched.join(' ') || '–'}${field.missing.length > 0 ? `; misses ${field.missing.join(' ')}` : ''}`,
        );
    }
  }
  lines.push('', 'Levers:');
  for (const lever of d.levers) {
    const estimate = lever.exact || lever.kind === 'none' ? '' : ' (estimate from the explain)';
    const verified =
      lever.verified === null
        ? ''
        : ` → re-searched: ${lever.verified.rank === null ? `not within ${d.depth}` : `rank ${lever.verified.rank}`}`;
    lines.push(`  - ${lever.message}${estimate}${verified}`);
  }
  for (const warning of d.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

export function registerExplainMissingCommand(program: Command): void {
  program
    .command('explain-missing')
    .summary("why a product is not in a query's top k")
    .description(
      "Diagnose why a product is not in a query's top k under a config: its rank (searching up to --depth) or the clause " +
        'that excludes it (a filter, the text per field, the kNN), its explain against the k-th hit (per field BM25, kNN, ' +
        'functions; per sub-search for fused configs), and the lever that would bring it in, computed from ES explain.',
    )
    .argument('<query>', 'the query')
    .argument('<spu_id>', 'the product (SPU id) that should be found')
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
    .option('--k <n>', 'the top k it should be in', '10')
    .option('--depth <n>', 'how deep to look for its rank', '1000')
    .option('--language <code>', 'treat the query as this language instead of detecting it')
    .addOption(new Option('--json', 'print the diagnosis as JSON'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rwb explain-missing --tenant icecat --config examples/configs/icecat-hybrid.json "usb c cable" 12345\n' +
        '  rwb explain-missing --tenant 1 --filter category1_name=手机 --k 20 --json "蓝牙耳机" 1001\n',
    )
    .action(async (query: string, spuId: string, flags: ExplainMissingFlags) => {
      const loaded = await loadConfigOrBundle(flags.config);
      const env = esConnectionFromEnv();
      const url = flags.es ?? env.url;
      const index = flags.index ?? loaded.index ?? SEARCH_PRODUCTS_INDEX;
      let config = loaded.config;
      if (flags.config === undefined) {
        // Like `rwb search`: the default config, with query vectors when the index holds title vectors.
        const probe = createEsClient({ ...env, url });
        try {
          const indexDefault = await defaultConfigForIndex(probe, index);
          config = indexDefault.config;
          if (indexDefault.textModel)
            loaded.source = `the default config, query vectors by ${indexDefault.textModel}`;
        } finally {
          await probe.close();
        }
      }
      const k = wholeNumberFlag('--k', flags.k, { min: 1, max: 100 });
      const depth = wholeNumberFlag('--depth', flags.depth, { min: 1, max: 10_000 });
      const ctx = createApiContext({ mode: 'cli', es: { ...env, url }, defaultIndex: index });
      try {
        const diagnosis = await invoke(
          'search.explainMissing',
          {
            tenantId: flags.tenant,
            query,
            spuId,
            ...(k === undefined ? {} : { k }),
            ...(depth === undefined ? {} : { depth }),
            ...(flags.filter === undefined ? {} : { filters: parseFilterFlags(flags.filter) }),
            ...(flags.language === undefined ? {} : { language: flags.language }),
            config: { config: config as unknown as Record<string, unknown>, label: loaded.source },
          },
          ctx,
        );
        if (flags.json) process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
        else
          process.stdout.write(
            renderDiagnosis(
              diagnosis,
              `Index:        ${index} at ${redactUrl(url)} (config: ${loaded.source})`,
            ),
          );
      } finally {
        await sessionOf(ctx).close();
        await ctx.close();
      }
    });
}
