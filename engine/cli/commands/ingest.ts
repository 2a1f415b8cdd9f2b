import { Option, type Command } from 'commander';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { addMysqlOptions, mysqlConnectionFromFlags } from './db.ts';
import { RwbError } from '../../errors.ts';
import { runIngest, summaryLine } from '../../ingest/pipeline.ts';
import { describeRecreate } from '../../ingest/recreate.ts';
import type { IngestOptionsInput } from '../../ingest/options.ts';
import { createProgressRenderer } from '../progress.ts';
import { EXIT } from '../exit-codes.ts';
import { wholeNumberFlag } from '../flags.ts';

interface IngestFlags {
  source: 'mysql' | 'file';
  file?: string;
  mysqlHost?: string;
  mysqlPort?: string;
  mysqlUser?: string;
  mysqlPassword?: string;
  database?: string;
  tenant?: string[];
  es?: string;
  esApiKey?: string;
  esUser?: string;
  esPassword?: string;
  esCa?: string;
  index: string;
  recreate?: boolean;
  recreateIndex?: boolean;
  includeUnpublished?: boolean;
  incremental?: boolean;
  resume: boolean;
  batchSize: string;
  concurrency: string;
  model: string;
  embeddings: boolean;
  ep: 'auto' | 'cpu' | 'cuda';
  threads?: string;
  imageModel?: string;
  imageModelId: string;
  reconnectAttempts: string;
  json?: boolean;
}

const int = (name: string, v: string | undefined): number | undefined =>
  wholeNumberFlag(`--${name}`, v);

export function registerIngestCommands(program: Command): void {
  const ingest = program
    .command('ingest')
    .summary('index products from MySQL or a file into Elasticsearch, with embeddings')
    .description(
      'Index products from the Shoplazza MySQL tables or an NDJSON/JSON file into Elasticsearch, with text embeddings. ' +
        'Re-runs never duplicate (_id = tenant:spu); an interrupted run resumes from its checkpoint.',
    )
    .addOption(
      new Option('--source <kind>', 'where products come from')
        .choices(['mysql', 'file'])
        .default('mysql'),
    )
    .option('--file <path>', 'NDJSON/JSON file of products (with --source file)')
    .option('--tenant <id...>', 'only these tenant ids (default: all tenants in the source)')
    .option('--es <url>', 'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200)')
    .option('--es-api-key <key>', 'Elasticsearch API key (prefer env RWB_ES_API_KEY)')
    .option('--es-user <user>', 'Elasticsearch basic-auth user (env RWB_ES_USERNAME)')
    .option(
      '--es-password <password>',
      'Elasticsearch basic-auth password (prefer env RWB_ES_PASSWORD)',
    )
    .option('--es-ca <file>', 'CA certificate file for an https cluster (env RWB_ES_CA_FILE)')
    .option('--index <name>', 'index name', 'search_products')
    .option(
      '--recreate',
      "re-ingest from scratch: first delete the documents of the --tenant ids (without --tenant: of every tenant in the source); other tenants' documents and the index stay",
    )
    .option(
      '--recreate-index',
      'drop the whole index (every tenant in it) and create it again first; needed after a model or mapping change',
    )
    .option(
      '--include-unpublished',
      'also index products whose published flag is 0 (by default they are not indexed, and removed when already there)',
    )
    .option(
      '--incremental',
      'only products whose update_time is newer than the last successful sync',
    )
    .option('--no-resume', 'ignore the checkpoint of an interrupted run and start over')
    .option('--batch-size <n>', 'documents per bulk request', '500')
    .option('--concurrency <n>', 'bulk requests in flight', '2')
    .option('--model <id>', 'text embedding model (see `rwb models list`)', 'bge-small-zh-v15-q')
    .option('--no-embeddings', 'index without title_embedding')
    .addOption(
      new Option('--ep <provider>', 'ONNX execution provider')
        .choices(['auto', 'cpu', 'cuda'])
        .default('auto'),
    )
    .option('--threads <n>', 'ONNX intra-op threads (default: all cores)')
    .option(
      '--image-model <path>',
      'vision tower (.onnx) of a CLIP-style model: embeds product and SKU images into image_embedding',
    )
    .option(
      '--image-model-id <id>',
      'name recorded for the image model in the index metadata',
      'custom-clip',
    )
    .option(
      '--reconnect-attempts <n>',
      'if ES goes away mid-ingest, wait and resume this many times before failing',
      '0',
    )
    .option('--json', 'print the final report as JSON');
  addMysqlOptions(ingest).action(async (flags: IngestFlags) => {
    const input = buildIngestInput(flags);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const progress = flags.json ? null : createProgressRenderer('Indexing');
    try {
      const report = await runIngest(input, {
        signal: controller.signal,
        onEvent: (e) => {
          if (!progress) return;
          if (e.type === 'progress') progress.update(e.progress);
          else if (e.type === 'log')
            progress.log(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}`);
          else if (e.type === 'item-failed')
            progress.log(`failed: ${e.item.where}: ${e.item.reason}`);
        },
      });
      progress?.stop();
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        process.stdout.write(`Ingest into ${report.index}: ${summaryLine(report)}\n`);
        if (report.recreated) process.stdout.write(`${describeRecreate(report.index, report.recreated)}\n`);
        if (report.embedding) {
          const e = report.embedding;
          process.stdout.write(
            `Embeddings: ${e.model} on ${e.executionProvider.toUpperCase()}, ${e.computed} computed, ${e.cached} from cache\n`,
          );
        }
        if (report.images)
          process.stdout.write(
            `Images: ${report.images.images - report.images.failed} embedded, ${report.images.failed} failed\n`,
          );
        if (report.failuresFile)
          process.stdout.write(`Failures and warnings: ${report.failuresFile}\n`);
      }
      if (report.failed > 0) process.exitCode = EXIT.PARTIAL;
    } finally {
      progress?.stop();
      process.off('SIGINT', onSigint);
    }
  });
}

export function buildIngestInput(flags: IngestFlags): IngestOptionsInput {
  const envEs = esConnectionFromEnv();
  if (flags.source === 'file' && !flags.file)
    throw new RwbError('INVALID_INPUT', '--source file needs --file <path>');
  return {
    source:
      flags.source === 'file'
        ? { kind: 'file', path: flags.file! }
        : { kind: 'mysql', connection: mysqlConnectionFromFlags(flags) },
    tenantIds: flags.tenant?.flatMap((t) => t.split(',')).filter(Boolean),
    es: {
      ...envEs,
      url: flags.es ?? envEs.url,
      apiKey: flags.esApiKey ?? envEs.apiKey,
      username: flags.esUser ?? envEs.username,
      password: flags.esPassword ?? envEs.password,
      caFile: flags.esCa ?? envEs.caFile,
    },
    index: flags.index,
    recreate: Boolean(flags.recreate),
    recreateIndex: Boolean(flags.recreateIndex),
    includeUnpublished: Boolean(flags.includeUnpublished),
    incremental: Boolean(flags.incremental),
    resume: flags.resume,
    batchSize: int('batch-size', flags.batchSize),
    concurrency: int('concurrency', flags.concurrency),
    reconnectAttempts: int('reconnect-attempts', flags.reconnectAttempts),
    embedding: {
      model: flags.embeddings ? flags.model : null,
      executionProvider: flags.ep,
      threads: int('threads', flags.threads),
    },
    imageEmbedding: flags.imageModel
      ? {
          visionModelPath: flags.imageModel,
          modelId: flags.imageModelId,
          executionProvider: flags.ep,
        }
      : null,
  };
}
