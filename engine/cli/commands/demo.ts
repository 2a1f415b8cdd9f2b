import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { loadDemoIntoMysql, writeDemoFile, DEMO_DEFAULTS } from '../../catalog/demo-catalog.ts';
import { describeMysql } from '../../catalog/mysql-connect.ts';
import { mysqlConnectionFromEnv, type MysqlConnection } from '../../config/connections.ts';
import { fetchModel, DEFAULT_MODEL_IDS } from '../../embed/index.ts';
import { ensureEsRuntime } from '../../es/runtime.ts';
import { startLocalNode } from '../../es/local-node.ts';
import { RwbError } from '../../errors.ts';
import { runIngest, summaryLine } from '../../ingest/pipeline.ts';
import { paths, repoRoot } from '../../paths.ts';
import { createProgressRenderer } from '../progress.ts';
import { EXIT } from '../exit-codes.ts';
import { redactUrl } from '../../net/redact.ts';
import { wholeNumberFlag } from '../flags.ts';

const DEMO_MODEL = 'bge-small-zh-v15-q';
const say = (line: string) => process.stdout.write(`${line}\n`);

function bytesLabel(p: { receivedBytes: number; totalBytes: number | null }): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return p.totalBytes ? `${mb(p.receivedBytes)} / ${mb(p.totalBytes)}` : mb(p.receivedBytes);
}

/** Fetches what the embedded default needs: the ES runtime and the text models (idempotent). */
async function setup(opts: { es: boolean; models: string[] }): Promise<void> {
  if (opts.es) {
    let last = 0;
    const runtime = await ensureEsRuntime({
      onProgress: (p) => {
        if (p.phase === 'download' && Date.now() - last > 2000) {
          last = Date.now();
          say(`  Elasticsearch runtime: downloading ${bytesLabel(p)}`);
        }
      },
    });
    say(`  Elasticsearch runtime: ${runtime.home}`);
  }
  for (const id of opts.models) {
    const files = await fetchModel(id);
    say(`  Model ${id}: ${files.dir}`);
  }
}

/** MySQL when it answers, else the file source — and say which and why. */
async function loadDemoCatalog(
  choice: 'auto' | 'mysql' | 'file',
  conn: MysqlConnection,
  size: { tenants: number; spus: number },
): Promise<{ kind: 'mysql'; connection: MysqlConnection } | { kind: 'file'; path: string }> {
  const demo = { tenants: size.tenants, spusPerTenant: size.spus };
  if (choice !== 'file') {
    try {
      const loaded = await loadDemoIntoMysql(conn, demo);
      say(`  Loaded ${loaded.spus} products (${loaded.skus} SKUs) into MySQL ${describeMysql(conn)}`);
      return { kind: 'mysql', connection: conn };
    } catch (err) {
      if (choice === 'mysql') throw err;
      say(`  MySQL is not reachable (${err instanceof Error ? err.message : String(err)})`);
      say('  → using the file source instead (set RWB_MYSQL_* to use MySQL)');
    }
  }
  const file = path.join(paths.home(), 'demo', 'catalog.ndjson');
  const n = await writeDemoFile(file, demo);
  say(`  Wrote ${n} products to ${file}`);
  return { kind: 'file', path: file };
}

interface DemoFlags {
  profile: string;
  port?: string;
  es?: string;
  source: 'auto' | 'mysql' | 'file';
  tenants: string;
  spus: string;
  recreate?: boolean;
  ui: boolean;
}

export function registerDemoCommands(program: Command): void {
  program
    .command('setup')
    .description('Fetch the Elasticsearch runtime and the text embedding models into RWB_HOME (idempotent)')
    .option('--no-es', 'skip the Elasticsearch runtime')
    .option('--models <ids...>', 'models to fetch', [...DEFAULT_MODEL_IDS])
    .action(async (flags: { es: boolean; models: string[] }) => {
      say('Setting up Relevance Workbench');
      await setup({ es: flags.es, models: flags.models });
      say('Done.');
    });

  program
    .command('demo')
    .summary('the embedded default end to end: local ES + demo catalog + model → workbench')
    .description(
      'The embedded default, end to end: fetch the runtime and model, start the local Elasticsearch, ' +
        'load the demo catalog (MySQL when reachable, else a file), ingest it with embeddings, and open the workbench.',
    )
    .option('--profile <name>', 'local Elasticsearch profile', 'default')
    .option('--port <port>', 'local Elasticsearch HTTP port (default 9200)')
    .option('--es <url>', 'use this Elasticsearch instead of starting the local one (env RWB_ES_URL)')
    .option('--source <kind>', 'auto (MySQL if reachable, else file) | mysql | file', 'auto')
    .option('--tenants <n>', 'demo tenants', String(DEMO_DEFAULTS.tenants))
    .option('--spus <n>', 'products per tenant', String(DEMO_DEFAULTS.spusPerTenant))
    .option('--recreate', "re-ingest the demo tenants from scratch (their documents are deleted first; other tenants' stay)")
    .option('--no-ui', 'stop after the ingest instead of starting the workbench')
    .action(async (flags: DemoFlags) => {
      const tenants = wholeNumberFlag('--tenants', flags.tenants, { min: 1 });
      const spus = wholeNumberFlag('--spus', flags.spus, { min: 1 });
      if (!['auto', 'mysql', 'file'].includes(flags.source)) throw new RwbError('INVALID_INPUT', `--source ${flags.source}: expected auto, mysql or file`);

      const externalEs = flags.es ?? process.env.RWB_ES_URL;
      say('[1/5] Fetching the Elasticsearch runtime and the embedding model (cached after the first run)');
      await setup({ es: !externalEs, models: [DEMO_MODEL] });

      let esUrl: string;
      if (externalEs) {
        esUrl = externalEs;
        say(`[2/5] Using Elasticsearch at ${redactUrl(esUrl)}`);
      } else {
        say(`[2/5] Starting the local Elasticsearch node (profile ${flags.profile})`);
        const node = await startLocalNode({ profile: flags.profile, port: wholeNumberFlag('--port', flags.port, { min: 1, max: 65_535 }), onNote: (n) => say(`  ${n}`) });
        esUrl = node.url;
        say(`  ${node.alreadyRunning ? 'Already running' : 'Started'}: ${node.url} (Elasticsearch ${node.version ?? '?'}, ${node.health ?? '?'})`);
      }

      say('[3/5] Loading the demo catalog');
      const source = await loadDemoCatalog(flags.source, mysqlConnectionFromEnv(), { tenants, spus });

      say(`[4/5] Ingesting into search_products with ${DEMO_MODEL} embeddings`);
      const progress = createProgressRenderer('  Indexing');
      const report = await runIngest(
        { source, es: { url: esUrl }, recreate: Boolean(flags.recreate), embedding: { model: DEMO_MODEL } },
        { onEvent: (e) => (e.type === 'progress' ? progress.update(e.progress) : e.type === 'log' ? progress.log(`  ${e.message}`) : undefined) },
      );
      progress.stop();
      say(`  ${summaryLine(report)}`);
      if (report.failuresFile) say(`  Failures and warnings: ${report.failuresFile}`);

      if (!flags.ui) {
        say('[5/5] Skipped starting the workbench (--no-ui). Start it with `npm start`.');
        return;
      }
      say('[5/5] Starting the workbench');
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'start.mjs')], {
          stdio: 'inherit',
          env: { ...process.env, RWB_ES_URL: esUrl },
        });
        child.on('exit', (c, signal) => resolve(signal ? EXIT.OK : (c ?? EXIT.FAILURE)));
      });
      process.exitCode = code;
    });
}
