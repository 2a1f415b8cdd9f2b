/**
 * The desktop app's process split without Electron: main's engine client talking to the engine
 * host — in process over a fake port, and as a real child process started from the same entry
 * file the utility process uses (engine from TypeScript sources through tsx). Plus the IPC relay
 * (cancel channel) and the safeStorage-backed secret vault.
 */
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_CHANNEL, ipcChannelFor, type Envelope } from '../../engine/api/wire.ts';
import { repoRoot } from '../../engine/paths.ts';
import { createEngineClient, type HostProcess } from '../../main/engine-client.ts';
import { esConnectionWith } from '../../main/engine-host.ts';
import type { FromHost } from '../../main/engine-protocol.ts';
import { inProcessHost } from '../helpers/in-process-host.ts';
import { registerIpcRelay, type InvokeEventLike, type IpcMainLike } from '../../main/ipc.ts';
import { createSecretVault, type Encryptor } from '../../main/secret-vault.ts';

const UNREACHABLE_ES = 'http://127.0.0.1:1';
let home: string;
let previousHome: string | undefined;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'rwb-host-'));
  previousHome = process.env.RWB_HOME;
  process.env.RWB_HOME = home;
});
afterAll(async () => {
  if (previousHome === undefined) delete process.env.RWB_HOME;
  else process.env.RWB_HOME = previousHome;
  await rm(home, { recursive: true, force: true });
});

describe('engine client ↔ engine host (in process)', () => {
  const stored: Array<[string, string | null]> = [];
  const events: unknown[] = [];
  const { host, process: hostProcess } = inProcessHost(UNREACHABLE_ES);
  const client = createEngineClient({
    spawn: () => hostProcess,
    appVersion: '9.9.9',
    loadSecrets: () => ({ deeplApiKey: 'from-keychain', notASecret: 'ignored' }),
    storeSecret: async (name, value) => void stored.push([name, value]),
    onJobEvent: (event) => events.push(event),
  });
  afterAll(() => host.close());

  it('answers calls with envelopes, validated like every transport', async () => {
    const status = (await client.invoke('system.status', null)) as Envelope<{
      mode: string;
      appVersion: string;
    }>;
    expect(status).toMatchObject({ ok: true, value: { mode: 'electron', appVersion: '9.9.9' } });
    const bad = await client.invoke('search.run', { tenantId: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_INPUT');
    const unknown = await client.invoke('no.such.op', {});
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
  });

  it('streams job events back and keeps secrets in main: values in, writes out, never echoed', async () => {
    const started = (await client.invoke('ingest.start', {
      source: { kind: 'file', path: '/nonexistent.ndjson' },
      embedding: { model: null },
    })) as Envelope<{ jobId: string }>;
    expect(started.ok).toBe(true);
    const jobId = started.ok ? started.value.jobId : '';
    // The job fails on its first step; a loaded machine may take a few seconds to get there.
    await expect
      .poll(
        () =>
          events.some(
            (e) =>
              (e as { jobId?: string; status?: string }).jobId === jobId &&
              (e as { status?: string }).status === 'failed',
          ),
        { timeout: 15_000 },
      )
      .toBe(true);

    const status = (await client.invoke('secrets.status', null)) as Envelope<{
      store: string;
      entries: Array<{ name: string; origin: string | null }>;
    }>;
    expect(status.ok && status.value.store).toBe('safeStorage');
    expect(status.ok && status.value.entries.find((e) => e.name === 'deeplApiKey')?.origin).toBe(
      'stored',
    );
    const set = await client.invoke('secrets.set', { name: 'esPassword', value: 's3cret' });
    expect(set.ok).toBe(true);
    expect(stored).toEqual([['esPassword', 's3cret']]);
    expect(JSON.stringify(set)).not.toContain('s3cret');
    await client.invoke('secrets.clear', { name: 'esPassword' });
    expect(stored.at(-1)).toEqual(['esPassword', null]);
  });

  it('aborts a call the caller gave up on and answers CANCELLED', async () => {
    const controller = new AbortController();
    const pending = client.invoke('index.info', {}, controller.signal);
    controller.abort();
    const answer = await pending;
    expect(!answer.ok && answer.error.code).toBe('CANCELLED');
  });
});

describe('the engine host as a child process (the entry file the utility process runs)', () => {
  it('starts from the TypeScript sources, answers calls and shuts down cleanly', async () => {
    const entry = path.join(repoRoot(), 'main', 'engine-host-entry.mjs');
    let exitCode: number | null | undefined;
    const spawn = (): HostProcess => {
      const child = fork(entry, [], {
        env: { ...process.env, RWB_HOME: home, RWB_ES_URL: UNREACHABLE_ES },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child.on('exit', (code) => (exitCode = code));
      return {
        postMessage: (m) => void child.send(m),
        onMessage: (listener) => void child.on('message', (m) => listener(m as FromHost)),
        onExit: (listener) => void child.on('exit', (code) => listener(code)),
        kill: () => void child.kill(),
      };
    };
    const client = createEngineClient({
      spawn,
      appVersion: '1.2.3',
      loadSecrets: () => ({}),
      storeSecret: async () => undefined,
      onJobEvent: () => undefined,
      maxRestarts: 0,
    });
    const status = (await client.invoke('system.status', null)) as Envelope<{
      mode: string;
      appVersion: string;
      esUrl: string;
    }>;
    expect(status).toMatchObject({
      ok: true,
      value: { mode: 'electron', appVersion: '1.2.3', esUrl: UNREACHABLE_ES },
    });
    const working = (await client.invoke('config.get', null)) as Envelope<{ tunables: unknown[] }>;
    expect(working.ok && working.value.tunables.length).toBeGreaterThan(10);
    await client.shutdown();
    await expect.poll(() => exitCode).toBe(0);
  }, 60_000);
});

describe('ES credentials in the desktop app', () => {
  it('come from the environment first, else from the keychain', () => {
    const env = { RWB_ES_URL: 'https://es.example:9200', RWB_ES_USERNAME: 'rwb' };
    expect(esConnectionWith({ esPassword: 'kc-pw', esApiKey: 'kc-key' }, env)).toMatchObject({
      url: 'https://es.example:9200',
      username: 'rwb',
      password: 'kc-pw',
      apiKey: 'kc-key',
    });
    expect(
      esConnectionWith({ esPassword: 'kc-pw' }, { ...env, RWB_ES_PASSWORD: 'env-pw' }).password,
    ).toBe('env-pw');
    expect(esConnectionWith({}, env).password).toBeUndefined();
  });
});

describe('IPC relay', () => {
  it('aborts the relayed call when the renderer sends cancel for its call id', async () => {
    const handlers = new Map<
      string,
      (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>
    >();
    const listeners = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => void>();
    const ipc: IpcMainLike = {
      handle: (c, l) => void handlers.set(c, l),
      removeHandler: (c) => void handlers.delete(c),
      on: (c, l) => void listeners.set(c, l),
      removeListener: (c) => void listeners.delete(c),
    };
    let seen: AbortSignal | null = null;
    const registration = registerIpcRelay(ipc, (_name, _input, signal) => {
      seen = signal;
      return new Promise((resolve) =>
        signal.addEventListener('abort', () =>
          resolve({ ok: false, error: { code: 'CANCELLED', message: 'aborted' } }),
        ),
      );
    });
    const event: InvokeEventLike = { senderFrame: { url: 'app://rwb/' }, sender: { id: 7 } };
    const answer = handlers.get(ipcChannelFor('tune.preview'))!(event, { querySetId: 'x' }, 41);
    listeners.get(CANCEL_CHANNEL)!({ ...event, sender: { id: 8 } }, 41);
    expect(seen!.aborted).toBe(false);
    listeners.get(CANCEL_CHANNEL)!(event, 41);
    expect(seen!.aborted).toBe(true);
    expect(await answer).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    registration.dispose();
    expect(handlers.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});

describe('secret vault (safeStorage)', () => {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  const encryptor = (available = true): Encryptor => ({
    isEncryptionAvailable: () => available,
    encryptString: (plain) => xor(Buffer.from(plain, 'utf8')),
    decryptString: (encrypted) => xor(encrypted).toString('utf8'),
  });

  it('keeps only encrypted values on disk and reads them back', async () => {
    const file = path.join(home, 'vault', 'secrets.json');
    const vault = createSecretVault(encryptor(), file);
    await vault.save('deeplApiKey', 'dl-key-123');
    await vault.save('esPassword', 'pw');
    expect(await readFile(file, 'utf8')).not.toMatch(/dl-key-123|"pw"/);
    expect(vault.load()).toEqual({ deeplApiKey: 'dl-key-123', esPassword: 'pw' });
    await vault.save('esPassword', null);
    expect(vault.load()).toEqual({ deeplApiKey: 'dl-key-123' });
  });

  it('keeps nothing when the OS offers no encryption', async () => {
    const vault = createSecretVault(encryptor(false), path.join(home, 'vault2', 'secrets.json'));
    await expect(vault.save('esPassword', 'pw')).rejects.toThrow(/no encrypted storage/);
    expect(vault.load()).toEqual({});
  });
});
