/**
 * The managed local node from a fresh RWB_HOME on non-default ports (9250/9350): fetch the runtime
 * (from ~/.m2 when present, else Maven Central) → start → status → start again (idempotent) →
 * stop. As root this also covers running the node as the unprivileged rwb-es user.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertEsReachable, createEsClient } from '../../engine/es/client.ts';
import { isRoot } from '../../engine/es/es-user.ts';
import { detectJava } from '../../engine/es/java.ts';
import { esRuntimesDir } from '../../engine/es/layout.ts';
import { localNodeStatus, startLocalNode, stopLocalNode } from '../../engine/es/local-node.ts';
import { portInUse } from '../../engine/es/node-process.ts';
import { ensureEsRuntime, type EsRuntime } from '../../engine/es/runtime.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

const HTTP_PORT = 9250;
const savedHome = process.env.RWB_HOME;

const missingJava = await requireComponent('Java 17+', async () => detectJava());
const missingPorts = await requireComponent(
  `free ports ${HTTP_PORT}/${HTTP_PORT + 100}`,
  async () => {
    if ((await portInUse(HTTP_PORT)) || (await portInUse(HTTP_PORT + 100)))
      throw new Error('in use by another process');
  },
);

describeWith([missingJava, missingPorts], 'managed local Elasticsearch node', () => {
  let runtime: EsRuntime;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'rwb-es-node-'));
    process.env.RWB_HOME = home;
    runtime = await ensureEsRuntime({ runtimesDir: esRuntimesDir() });
  });
  afterAll(async () => {
    await stopLocalNode({ profile: 'itest' }).catch(() => undefined);
    await chmod(home, 0o700).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    if (savedHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = savedHome;
  });

  it('fetched a runtime with an executable launcher', () => {
    expect(runtime.version).toMatch(/^8\./);
    expect(runtime.home.startsWith(esRuntimesDir())).toBe(true);
  });

  it('reports a never-started profile as stopped', async () => {
    const status = await localNodeStatus({ profile: 'itest' });
    expect(status).toMatchObject({ running: false, starting: false, pid: null });
  });

  it('refuses a port that another process holds, naming it', async () => {
    const blocker = await import('node:net').then((net) =>
      net.createServer().listen(HTTP_PORT + 1, '127.0.0.1'),
    );
    try {
      await new Promise((resolve) => blocker.once('listening', resolve));
      await expect(
        startLocalNode({
          profile: 'itest-blocked',
          port: HTTP_PORT + 1,
          transportPort: HTTP_PORT + 101,
        }),
      ).rejects.toThrow(
        new RegExp(`Port ${HTTP_PORT + 1} on 127\\.0\\.0\\.1 \\(HTTP\\) is already in use`),
      );
    } finally {
      blocker.close();
    }
  });

  it('starts, answers as an 8.x node, and is idempotent', async () => {
    const notes: string[] = [];
    const started = await startLocalNode({
      profile: 'itest',
      port: HTTP_PORT,
      heap: '512m',
      onNote: (n) => notes.push(n),
    });
    expect(started).toMatchObject({
      running: true,
      alreadyRunning: false,
      url: `http://127.0.0.1:${HTTP_PORT}`,
      transportPort: HTTP_PORT + 100,
    });
    expect(['green', 'yellow']).toContain(started.health);
    expect(started.version).toBe(runtime.version);
    expect(started.heapMaxBytes).toBe(512 * 1024 * 1024);
    if (isRoot()) {
      // Elasticsearch refuses root: the JVM must really run under another uid.
      expect(started.esUser).not.toBe('root');
      const procStatus = await readFile(`/proc/${started.pid}/status`, 'utf8');
      expect(procStatus).not.toMatch(/^Uid:\s+0\s/m);
    } else {
      expect(started.esUser).toBe(os.userInfo().username);
    }
    expect(notes.some((n) => n.includes(started.logFile))).toBe(true);

    const client = createEsClient({ url: started.url });
    const info = await assertEsReachable(client, started.url);
    expect(info).toMatchObject({ clusterName: 'rwb-itest', version: runtime.version, nodes: 1 });
    await client.close();

    const again = await startLocalNode({ profile: 'itest' });
    expect(again).toMatchObject({ alreadyRunning: true, pid: started.pid, running: true });

    const status = await localNodeStatus({ profile: 'itest' });
    expect(status).toMatchObject({
      running: true,
      pid: started.pid,
      version: runtime.version,
      heap: '512m',
    });
    expect(status.dataDir.endsWith(path.join('itest', 'es', 'data'))).toBe(true);
  });

  it('stops gracefully and reports stopped afterwards', async () => {
    const stopped = await stopLocalNode({ profile: 'itest' });
    expect(stopped).toMatchObject({ wasRunning: true, forced: false });
    expect(await portInUse(HTTP_PORT)).toBe(false);
    expect(await localNodeStatus({ profile: 'itest' })).toMatchObject({
      running: false,
      pid: null,
    });
    expect(await stopLocalNode({ profile: 'itest' })).toMatchObject({ wasRunning: false });
  });
});
