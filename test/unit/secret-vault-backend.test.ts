/**
 * The desktop secret vault refuses to keep secrets when Electron's safeStorage offers no real
 * protection: no encryption at all, or Linux's basic_text backend (a key built into Chromium).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/api/wire.ts';
import { createEngineClient } from '../../main/engine-client.ts';
import {
  createSecretVault,
  encryptionUnavailableReason,
  type Encryptor,
} from '../../main/secret-vault.ts';
import { inProcessHost } from '../helpers/in-process-host.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-vault-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
function encryptor(backend: string | undefined): Encryptor {
  return {
    isEncryptionAvailable: () => true,
    encryptString: (plain) => xor(Buffer.from(plain, 'utf8')),
    decryptString: (encrypted) => xor(encrypted).toString('utf8'),
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
  };
}

describe('secret vault storage backend', () => {
  it('refuses to store under basic_text, says why, and writes nothing', async () => {
    const file = path.join(dir, 'basic', 'secrets.json');
    const vault = createSecretVault(encryptor('basic_text'), file);
    expect(vault.unavailableReason()).toMatch(/basic_text/);
    await expect(vault.save('esPassword', 'S3NTINEL-pw')).rejects.toThrow(/basic_text.*not stored/);
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('does not trust values an earlier run stored under basic_text', async () => {
    const file = path.join(dir, 'old', 'secrets.json');
    await createSecretVault(encryptor('gnome_libsecret'), file).save('esPassword', 'pw-old');
    expect(createSecretVault(encryptor('basic_text'), file).load()).toEqual({});
  });

  it('keeps secrets with a real keyring backend, and where no backend is reported (macOS, Windows)', async () => {
    for (const backend of ['gnome_libsecret', 'kwallet5', undefined]) {
      const file = path.join(dir, String(backend), 'secrets.json');
      const vault = createSecretVault(encryptor(backend), file);
      expect(vault.unavailableReason()).toBeNull();
      await vault.save('deeplApiKey', 'dl-key');
      expect(vault.load()).toEqual({ deeplApiKey: 'dl-key' });
    }
  });

  it('clearing a secret is allowed even where storing is not', async () => {
    const file = path.join(dir, 'clear', 'secrets.json');
    const vault = createSecretVault(encryptor('basic_text'), file);
    await expect(vault.save('esPassword', null)).resolves.toBeUndefined();
    expect(
      encryptionUnavailableReason({ ...encryptor(undefined), isEncryptionAvailable: () => false }),
    ).toMatch(/no encrypted storage/);
  });
});

/** main's engine client (with this vault) and the engine host in this process. */
function desktopWith(vault: ReturnType<typeof createSecretVault>, written: string[]) {
  const { host, process: hostProcess } = inProcessHost('http://127.0.0.1:1', (m) => {
    if (m.type === 'secret-write') written.push(m.name);
  });
  const client = createEngineClient({
    spawn: () => hostProcess,
    appVersion: '9.9.9',
    loadSecrets: () => vault.load(),
    secretStoreUnavailable: () => vault.unavailableReason(),
    storeSecret: (name, value) => vault.save(name, value),
    onJobEvent: () => undefined,
  });
  return { host, client };
}

describe('the desktop app under basic_text', () => {
  it('says so in secrets.status and refuses secrets.set as bad input, before main is asked', async () => {
    const file = path.join(dir, 'desktop', 'secrets.json');
    const written: string[] = [];
    const { host, client } = desktopWith(createSecretVault(encryptor('basic_text'), file), written);
    try {
      const status = (await client.invoke('secrets.status', null)) as Envelope<{
        store: string;
        writable: boolean;
        unavailableReason: string | null;
      }>;
      expect(status.ok && status.value).toMatchObject({ store: 'safeStorage', writable: false });
      expect(status.ok && status.value.unavailableReason).toMatch(/basic_text/);
      const set = await client.invoke('secrets.set', { name: 'esPassword', value: 'S3NTINEL-pw' });
      expect(set.ok).toBe(false);
      expect(!set.ok && set.error.code).toBe('INVALID_INPUT');
      expect(!set.ok && set.error.message).toMatch(/basic_text/);
      expect(written).toEqual([]);
      await expect(readFile(file, 'utf8')).rejects.toThrow();
    } finally {
      await host.close();
    }
  });

  it('with a real keyring backend the same path stores the secret', async () => {
    const file = path.join(dir, 'desktop-ok', 'secrets.json');
    const written: string[] = [];
    const { host, client } = desktopWith(createSecretVault(encryptor('gnome_libsecret'), file), written);
    try {
      const set = await client.invoke('secrets.set', { name: 'esPassword', value: 'S3NTINEL-pw' });
      expect(set.ok).toBe(true);
      expect(set.ok && set.value).toMatchObject({ writable: true, unavailableReason: null });
      expect(written).toEqual(['esPassword']);
      expect(await readFile(file, 'utf8')).not.toContain('S3NTINEL-pw');
    } finally {
      await host.close();
    }
  });
});
