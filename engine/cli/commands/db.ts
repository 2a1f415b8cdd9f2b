/**
 * `rwb db …`: create the Shoplazza tables, load the demo catalog (into MySQL or an NDJSON file) and
 * load the Icecat data. Connection flags default from RWB_MYSQL_* (engine/config/connections.ts).
 */
import { Option, type Command } from 'commander';
import { ICECAT_TENANT, icecatFiles, loadIcecatIntoMysql } from '../../catalog/icecat.ts';
import {
  DEMO_DEFAULTS,
  demoTenantIds,
  loadDemoIntoMysql,
  writeDemoFile,
} from '../../catalog/demo-catalog.ts';
import { describeMysql, withMysql } from '../../catalog/mysql-connect.ts';
import type { LoadProgress } from '../../catalog/mysql-writer.ts';
import { applySchema, renderSchemaSql } from '../../catalog/schema.ts';
import { MysqlConnectionSchema, mysqlConnectionFromEnv } from '../../config/connections.ts';
import type { MysqlConnection } from '../../config/connections.ts';
import { RwbError } from '../../errors.ts';
import { ProgressMeter } from '../../jobs/job.ts';
import { icecatDir } from '../../paths.ts';
import { wholeNumberFlag } from '../flags.ts';
import { terminalStream } from '../terminal.ts';
import { registerSecret } from '../../net/redact.ts';

export interface MysqlFlags {
  mysqlHost?: string;
  mysqlPort?: string;
  mysqlUser?: string;
  mysqlPassword?: string;
  database?: string;
  /** The seed's spellings (§3.2, `ingest_shoplazza.py --db-host …`), accepted as aliases. */
  dbHost?: string;
  dbPort?: string;
  dbUsername?: string;
  dbPassword?: string;
  dbDatabase?: string;
}

type MysqlFlagKey = 'mysqlHost' | 'mysqlPort' | 'mysqlUser' | 'mysqlPassword' | 'database';
type SeedFlagKey = 'dbHost' | 'dbPort' | 'dbUsername' | 'dbPassword' | 'dbDatabase';

/** Each flag, the seed's alias for it, and their keys in the parsed options. */
const SEED_ALIASES: ReadonlyArray<readonly [string, string, MysqlFlagKey, SeedFlagKey]> = [
  ['--mysql-host', '--db-host', 'mysqlHost', 'dbHost'],
  ['--mysql-port', '--db-port', 'mysqlPort', 'dbPort'],
  ['--mysql-user', '--db-username', 'mysqlUser', 'dbUsername'],
  ['--mysql-password', '--db-password', 'mysqlPassword', 'dbPassword'],
  ['--database', '--db-database', 'database', 'dbDatabase'],
];

/**
 * Adds --mysql-host/--mysql-port/--mysql-user/--mysql-password/--database (shared with other
 * commands), and the seed's --db-host/--db-port/--db-username/--db-password/--db-database as
 * aliases: scripts written for the seed's ingest run unchanged. The aliases are named in the help
 * of the flag they stand for instead of doubling the option list.
 */
export function addMysqlOptions(cmd: Command): Command {
  cmd
    .option(
      '--mysql-host <host>',
      'MySQL/MariaDB host (alias --db-host; default: RWB_MYSQL_HOST or 127.0.0.1)',
    )
    .option('--mysql-port <port>', 'MySQL port (alias --db-port; default: RWB_MYSQL_PORT or 3306)')
    .option(
      '--mysql-user <user>',
      'MySQL user (alias --db-username; default: RWB_MYSQL_USER or root)',
    )
    .option(
      '--mysql-password <password>',
      'MySQL password (alias --db-password; default: RWB_MYSQL_PASSWORD or empty)',
    )
    .option(
      '--database <name>',
      'database with the Shoplazza tables (alias --db-database; default: RWB_MYSQL_DATABASE or rwb_demo)',
    );
  for (const [, alias] of SEED_ALIASES)
    cmd.addOption(new Option(`${alias} <value>`, `alias of the seed's ingest script`).hideHelp());
  return cmd;
}

/** The value of a flag or of its seed alias; both given with different values is a usage error. */
function flagOrAlias(flags: MysqlFlags, index: number): { flag: string; value?: string } {
  const [name, alias, key, aliasKey] = SEED_ALIASES[index]!;
  const value = flags[key];
  const aliased = flags[aliasKey];
  if (value !== undefined && aliased !== undefined && value !== aliased) {
    throw new RwbError(
      'INVALID_INPUT',
      `${name} and ${alias} name the same setting with different values; give one of them.`,
    );
  }
  return value !== undefined ? { flag: name, value } : { flag: alias, value: aliased };
}

/** Flags over environment over defaults; invalid values → INVALID_INPUT naming the flag. */
export function mysqlConnectionFromFlags(
  flags: MysqlFlags,
  env: NodeJS.ProcessEnv = process.env,
): MysqlConnection {
  const base = mysqlConnectionFromEnv(env);
  // A driver error that quotes the password is cleaned by RwbError (see net/redact.ts).
  registerSecret(flags.mysqlPassword);
  registerSecret(flags.dbPassword);
  const [host, portFlag, user, password, database] = SEED_ALIASES.map((_, i) =>
    flagOrAlias(flags, i),
  );
  const port =
    wholeNumberFlag(portFlag!.flag, portFlag!.value, { min: 1, max: 65_535 }) ?? base.port;
  return MysqlConnectionSchema.parse({
    host: host!.value ?? base.host,
    port,
    user: user!.value ?? base.user,
    password: password!.value ?? base.password,
    database: database!.value ?? base.database,
  });
}

/** "3" → three tenants "1".."3"; "a,b" → those ids. */
function parseTenants(value: string): number | string[] {
  if (/^\d+$/.test(value.trim())) return wholeNumberFlag('--tenants', value, { min: 1, max: 1000 });
  const ids = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (ids.length === 0)
    throw new RwbError(
      'INVALID_INPUT',
      '--tenants needs a count or a comma-separated list of ids.',
    );
  return ids;
}

/** One status line on a terminal (rewritten in place), occasional lines otherwise. */
function progressPrinter(label: string, total: number | null) {
  const meter = new ProgressMeter();
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  return {
    update(done: number, extra = '') {
      const p = meter.update({ total, done, failed: 0 });
      const pct = total ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
      const eta = p.etaSeconds !== null ? ` eta ${p.etaSeconds}s` : '';
      const rate = p.rate ? ` ${Math.round(p.rate)}/s` : '';
      const line = `${label}: ${done}${total ? `/${total}` : ''}${pct}${rate}${eta}${extra}`;
      // Redrawn in place with \r and an erase sequence: past the output guard (the line is ours).
      if (tty) terminalStream(process.stderr).write(`\r${line}\x1b[K`);
      else if (Date.now() - lastLine > 2000) {
        process.stderr.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

const rows = (p: LoadProgress) => ` (${p.skus} SKUs, ${p.options} options)`;

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('Shoplazza source tables in MySQL/MariaDB: schema, demo catalog, Icecat data');

  addMysqlOptions(
    db
      .command('schema')
      .description(
        'Create the database and the shoplazza_product_spu/_sku/_option tables (idempotent)',
      )
      .option('--print', 'print the DDL (db/shoplazza.sql) instead of applying it'),
  ).action(async (opts: MysqlFlags & { print?: boolean }) => {
    if (opts.print) {
      process.stdout.write(renderSchemaSql());
      return;
    }
    const conn = mysqlConnectionFromFlags(opts);
    await withMysql(conn, 'schema creation', (c) => applySchema(c, conn.database), {
      withDatabase: false,
    });
    process.stdout.write(`Schema ready in ${describeMysql(conn)}.\n`);
  });

  addMysqlOptions(
    db
      .command('load-demo')
      .description(
        'Generate the deterministic bilingual demo catalog and load it into MySQL (or write NDJSON with --file)',
      )
      .option(
        '--tenants <n|ids>',
        'number of tenants ("1".."n") or comma-separated tenant ids',
        String(DEMO_DEFAULTS.tenants),
      )
      .option('--spus <n>', 'SPUs per tenant', String(DEMO_DEFAULTS.spusPerTenant))
      .option('--seed <n>', 'generator seed (same seed, same catalog)', String(DEMO_DEFAULTS.seed))
      .option(
        '--file <path>',
        'write NDJSON (one SourceProduct per line) instead of loading MySQL',
      ),
  ).action(
    async (opts: MysqlFlags & { tenants: string; spus: string; seed: string; file?: string }) => {
      const tenants = parseTenants(opts.tenants);
      const spusPerTenant = wholeNumberFlag('--spus', opts.spus, { min: 1, max: 1_000_000 });
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed))
        throw new RwbError('INVALID_INPUT', `--seed must be an integer, got "${opts.seed}".`);
      const tenantIds = demoTenantIds(tenants);
      const total = tenantIds.length * spusPerTenant;
      const started = Date.now();
      if (opts.file) {
        const progress = progressPrinter(`Writing ${opts.file}`, total);
        const n = await writeDemoFile(opts.file, {
          tenants,
          spusPerTenant,
          seed,
          onProgress: (d) => progress.update(d),
        });
        progress.end();
        process.stdout.write(
          `Wrote ${n} SPUs for tenants ${tenantIds.join(', ')} to ${opts.file} in ${elapsed(started)}.\n`,
        );
        return;
      }
      const conn = mysqlConnectionFromFlags(opts);
      const progress = progressPrinter(`Loading demo into ${describeMysql(conn)}`, total);
      const result = await loadDemoIntoMysql(conn, {
        tenants,
        spusPerTenant,
        seed,
        onProgress: (p) => progress.update(p.spus, rows(p)),
      });
      progress.end();
      process.stdout.write(
        `Loaded ${result.spus} SPUs, ${result.skus} SKUs, ${result.options} options for tenants ${tenantIds.join(', ')} into ${describeMysql(conn)} in ${elapsed(started)}.\n`,
      );
    },
  );

  addMysqlOptions(
    db
      .command('load-icecat')
      .description('Load the Icecat products (products-*.json) into the MySQL tables as one tenant')
      .option(
        '--dir <path>',
        'folder with products-*.json (default: RWB_ICECAT_DIR or ../shared/data/icecat)',
      )
      .option('--tenant <id>', 'tenant id for the products', ICECAT_TENANT),
  ).action(async (opts: MysqlFlags & { dir?: string; tenant: string }) => {
    const dir = opts.dir ?? icecatDir();
    await icecatFiles(dir); // a missing folder fails before touching MySQL
    const conn = mysqlConnectionFromFlags(opts);
    const started = Date.now();
    const progress = progressPrinter(`Loading Icecat into ${describeMysql(conn)}`, null);
    let skipped = 0;
    const result = await loadIcecatIntoMysql(conn, {
      dir,
      tenantId: opts.tenant,
      onProgress: (p) => progress.update(p.spus, rows(p)),
      onRowError: (e) => {
        skipped += 1;
        process.stderr.write(`\nskipped ${e.where}: ${e.reason}\n`);
      },
    });
    progress.end();
    process.stdout.write(
      `Loaded ${result.spus} Icecat products (${result.skus} SKUs) from ${result.files} files in ${dir} as tenant "${opts.tenant}" into ${describeMysql(conn)} in ${elapsed(started)}${skipped ? `; ${skipped} records skipped` : ''}.\n`,
    );
  });
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}
