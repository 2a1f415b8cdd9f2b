/**
 * The CLI as a script sees it (real child processes): README's exit codes for unreadable input
 * files and rejected judgment rows, control characters from input escaped before they reach the
 * terminal, and a password in --es never printed — against nothing (port 1) and against the real
 * Elasticsearch (which, without security, ignores the credentials), with a small demo index.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { repoRoot } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const run = promisify(execFile);
const SENTINEL = 'S3NTINEL-pw';
const CONFIG = path.join(repoRoot(), 'examples', 'configs', 'icecat-bm25-title.json');
// Raw terminal controls: C0 (ESC, BEL, CR…), DEL, C1 and bidi overrides.
// eslint-disable-next-line no-control-regex -- the test looks for raw control characters
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

let tmp: string;
let home: string;
const file = (name: string) => path.join(tmp, name);

async function rwb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [path.join(repoRoot(), 'bin', 'rwb.mjs'), ...args],
      {
        cwd: tmp,
        env: { ...process.env, RWB_HOME: home, RWB_ES_URL: 'http://127.0.0.1:1', CI: '' },
        timeout: 110_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'rwb-cli-exit-'));
  home = path.join(tmp, 'home');
  await writeFile(file('ok.csv'), 'query,docid,rating\nshoes,1,2\n');
  // A window title (OSC … BEL), a colour (CSI), a C1 CSI, a right-to-left override, a lone CR.
  await writeFile(
    file('evil.csv'),
    'query,docid,rating\n' +
      '"\x1b]0;pwned\x07shoes",1,2\n' +
      'boots\x1b[31m,2,9\n' +
      '"x\u202ey\u009b2J",3,zz\n',
  );
  await mkdir(file('dir.csv'));
  await mkdir(file('dir.json'));
}, 30_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('exit codes for unreadable input files (2, naming the path)', () => {
  const cases: Array<[string, () => string[], string]> = [
    ['judgments import, missing file', () => ['judgments', 'import', file('nope.csv')], 'nope.csv'],
    ['judgments import, a directory', () => ['judgments', 'import', file('dir.csv')], 'dir.csv'],
    [
      'eval, missing judgments',
      () => ['eval', '--config', CONFIG, '--judgments', file('nope.csv')],
      'nope.csv',
    ],
    [
      'eval, judgments a directory',
      () => ['eval', '--config', CONFIG, '--judgments', file('dir.csv')],
      'dir.csv',
    ],
    [
      'eval, missing config',
      () => ['eval', '--config', file('nope.json'), '--judgments', file('ok.csv')],
      'nope.json',
    ],
    [
      'eval, config a directory',
      () => ['eval', '--config', file('dir.json'), '--judgments', file('ok.csv')],
      'dir.json',
    ],
    [
      'tune, missing parameter space',
      () => [
        'tune',
        '--config',
        CONFIG,
        '--judgments',
        file('ok.csv'),
        '--space',
        file('nope.yaml'),
      ],
      'nope.yaml',
    ],
  ];
  it.each(cases)('%s', async (_name, args, named) => {
    const { code, stderr } = await rwb(args());
    expect(stderr).toMatch(/^error \[INVALID_INPUT\]/);
    expect(stderr).toContain(named);
    expect(code).toBe(2);
  });
});

describe('control characters from a judgments file', () => {
  it('are escaped in everything printed, and rejected rows exit 4', async () => {
    const imported = await rwb(['judgments', 'import', file('evil.csv'), '--name', 'evil']);
    expect(imported.code).toBe(4);
    const listed = await rwb(['judgments', 'list']);
    const json = await rwb(['judgments', 'list', '--json']);
    for (const out of [imported, listed, json]) {
      expect(out.stdout + out.stderr).not.toMatch(RAW_CONTROL);
    }
    expect(imported.stderr).toContain('boots\\u001B[31m');
    expect(imported.stderr).toContain('\\u202E');
    // --json stays valid JSON and keeps the text as it was.
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
  });

  it('rwb eval with rejected rows prints them escaped (the cluster is unreachable here: 3)', async () => {
    const { code, stderr } = await rwb([
      'eval',
      '--config',
      CONFIG,
      '--judgments',
      file('evil.csv'),
    ]);
    expect(stderr).toMatch(/2 row\(s\) rejected/);
    expect(stderr).toContain('boots\\u001B[31m');
    expect(stderr).not.toMatch(RAW_CONTROL);
    expect(code).toBe(3);
  });
});

describe('a password in --es', () => {
  const es = `http://elastic:${SENTINEL}@127.0.0.1:1`;
  it.each([
    ['es index', ['es', 'index', '--es', es]],
    ['search --json', ['search', 'shoes', '--tenant', '1', '--es', es, '--json']],
  ])('%s: unreachable, exit 3, the URL shown without it', async (_name, args) => {
    const { code, stdout, stderr } = await rwb(args);
    expect(stdout + stderr).not.toContain(SENTINEL);
    expect(stderr).toContain('http://***:***@127.0.0.1:1');
    expect(code).toBe(3);
  });
});

const missing = [await requireComponent('Elasticsearch', () => esAvailable())];

describeWith(missing, 'on the real Elasticsearch, with a password in the URL it ignores', () => {
  let index: string;
  let es: string;

  beforeAll(async () => {
    index = `rwb_test_cli_exit_${path.basename(tmp).slice(-6).toLowerCase()}`;
    es = esUrl().replace('://', `://elastic:${SENTINEL}@`);
    const products = [...generateDemoCatalog({ tenants: ['A'], spusPerTenant: 20, seed: 3 })];
    const source = file('demo.ndjson');
    await writeFile(source, products.map((p) => JSON.stringify(p)).join('\n'));
    const report = await runIngest(
      {
        source: { kind: 'file', path: source },
        es: { url: esUrl() },
        index,
        recreate: true,
        embedding: { model: null },
      },
      { checkpoints: new CheckpointStore(file('checkpoints')), failuresDir: file('failures') },
    );
    expect(report.indexed).toBe(products.length);
  }, 300_000);
  afterAll(async () => {
    const client = createEsClient({ url: esUrl() });
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  it('rwb eval with rejected judgment rows exits 4, like rwb judgments import; nothing raw, no password', async () => {
    const args = [
      'eval',
      '--config',
      CONFIG,
      '--judgments',
      file('evil.csv'),
      '--tenant',
      'A',
      '--index',
      index,
      '--es',
      es,
    ];
    const human = await rwb(args);
    expect(human.stderr).toMatch(/2 row\(s\) rejected/);
    expect(human.stdout).toMatch(/ndcg@10/i);
    const json = await rwb([...args, '--json', '--no-snapshot']);
    for (const out of [human, json]) {
      expect(out.stdout + out.stderr).not.toMatch(RAW_CONTROL);
      expect(out.stdout + out.stderr).not.toContain(SENTINEL);
    }
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    expect([human.code, json.code]).toEqual([4, 4]);
  });

  it('a date that is no calendar date and a query over the clause limit are bad input: 2 (was 3)', async () => {
    const base = ['search', '--tenant', 'A', '--index', index, '--es', es];
    const date = await rwb([...base, '', '--filter', 'create_time=2024-02-30..2024-03-01']);
    expect(date.stderr).toMatch(/^error \[INVALID_INPUT\].*2024-02-30/);
    expect(date.code).toBe(2);
    // Under the 1,000-character limit, but each CJK character becomes clauses over many fields.
    const long = await rwb([...base, '蓝牙耳机手机电脑'.repeat(85)]);
    expect(long.stderr).toMatch(/^error \[INVALID_INPUT\].*max_clause_count/);
    expect(long.code).toBe(2);
  });

  it('rwb es index describes the index at the URL shown without the password', async () => {
    const human = await rwb(['es', 'index', '--es', es, '--index', index]);
    const json = await rwb(['es', 'index', '--es', es, '--index', index, '--json']);
    expect([human.code, json.code]).toEqual([0, 0]);
    expect(human.stdout).toContain(`${index} on http://***:***@`);
    expect(human.stdout + human.stderr + json.stdout + json.stderr).not.toContain(SENTINEL);
    expect((JSON.parse(json.stdout) as { cluster: { url: string } }).cluster.url).toMatch(
      /^http:\/\/\*\*\*:\*\*\*@/,
    );
  });
});
