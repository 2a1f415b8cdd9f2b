import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot } from '../../engine/es/es-user.ts';
import { parseJavaVersion } from '../../engine/es/java.ts';
import { reachableByOthers, resolveEsLayout, validateProfileName } from '../../engine/es/layout.ts';
import {
  defaultTransportPort,
  renderElasticsearchYml,
  renderJvmOptions,
  shrinkGcLog,
  validateHeap,
  validatePort,
} from '../../engine/es/node-config.ts';

describe('node settings validation', () => {
  it('accepts JVM heap sizes and normalises the unit', () => {
    expect(validateHeap('512m')).toBe('512m');
    expect(validateHeap('1G')).toBe('1g');
  });
  it('rejects heaps ES cannot start with or that the JVM cannot parse', () => {
    for (const bad of ['128m', '512', '1.5g', 'big', ''])
      expect(() => validateHeap(bad)).toThrow(/Heap size/);
  });
  it('keeps ports in the unprivileged range', () => {
    expect(validatePort(9250, 'HTTP port')).toBe(9250);
    expect(() => validatePort(80, 'HTTP port')).toThrow(/between 1024 and 65535/);
    expect(() => validatePort(70000, 'HTTP port')).toThrow();
    expect(defaultTransportPort(9200)).toBe(9300);
  });
  it('accepts profile names that are safe as directory names only', () => {
    expect(validateProfileName('team-a_1.x')).toBe('team-a_1.x');
    for (const bad of ['../x', 'a/b', '', '.hidden'])
      expect(() => validateProfileName(bad)).toThrow(/Profile name/);
  });
});

describe('elasticsearch.yml and JVM options', () => {
  const layout = resolveEsLayout('demo');
  const yml = renderElasticsearchYml(layout, {
    profile: 'demo',
    httpPort: 9250,
    transportPort: 9350,
    heap: '512m',
  });

  it('binds to loopback only, single node, security off, disk thresholds off', () => {
    expect(yml).toMatch(/^network\.host: 127\.0\.0\.1$/m);
    expect(yml).toMatch(/^http\.port: 9250$/m);
    expect(yml).toMatch(/^transport\.port: 9350$/m);
    expect(yml).toMatch(/^discovery\.type: single-node$/m);
    expect(yml).toMatch(/^xpack\.security\.enabled: false$/m);
    expect(yml).toMatch(/^cluster\.routing\.allocation\.disk\.threshold_enabled: false$/m);
    expect(yml).toContain(`path.data: ${JSON.stringify(layout.dataDir)}`);
    expect(yml).toMatch(/^cluster\.name: "rwb-demo"$/m);
  });

  it('sets the heap both ways and shrinks the stock GC log', () => {
    expect(renderJvmOptions('1g')).toMatch(/^-Xms1g$/m);
    expect(renderJvmOptions('1g')).toMatch(/^-Xmx1g$/m);
    expect(
      shrinkGcLog('-Xlog:gc*:file=gc.log:utctime,level,pid,tags:filecount=32,filesize=64m'),
    ).toBe('-Xlog:gc*:file=gc.log:utctime,level,pid,tags:filecount=2,filesize=16m');
  });
});

describe('parseJavaVersion', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime')).toEqual({
      version: '17.0.15',
      major: 17,
    });
    expect(parseJavaVersion('java version "1.8.0_392"')).toEqual({
      version: '1.8.0_392',
      major: 8,
    });
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')).toEqual({
      version: '21',
      major: 21,
    });
    expect(parseJavaVersion('command not found')).toBeNull();
  });
});

describe('layout', () => {
  let dir: string;
  const savedHome = process.env.RWB_HOME;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-layout-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o700);
    await rm(dir, { recursive: true, force: true });
    if (savedHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = savedHome;
  });

  it('tells whether other users can pass through every parent directory', async () => {
    const closed = path.join(dir, 'closed');
    await mkdir(path.join(closed, 'home'), { recursive: true });
    await chmod(dir, 0o755);
    await chmod(closed, 0o700);
    expect(reachableByOthers(path.join(closed, 'home'))).toBe(false);
    await chmod(closed, 0o711);
    expect(reachableByOthers(path.join(closed, 'home'))).toBe(true);
  });

  it('keeps node files in the profile, and moves them out only for root behind a closed directory', async () => {
    await chmod(dir, 0o700);
    process.env.RWB_HOME = path.join(dir, 'rwb');
    const layout = resolveEsLayout('default');
    expect(layout.relocated).toBe(isRoot());
    expect(layout.profileLink).toBe(path.join(dir, 'rwb', 'profiles', 'default', 'es'));
    if (!isRoot()) expect(layout.esDir).toBe(layout.profileLink);

    await chmod(dir, 0o755);
    const open = resolveEsLayout('default');
    expect(open.relocated).toBe(false);
    expect(open.dataDir).toBe(path.join(dir, 'rwb', 'profiles', 'default', 'es', 'data'));
    expect(open.runtimesDir).toBe(path.join(dir, 'rwb', 'runtimes'));
  });
});
