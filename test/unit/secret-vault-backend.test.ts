/**
 * The desktop secret vault refuses to keep secrets when Electron's safeStorage offers no real
 * protection: no encryption at all, or Linux's basic_text backend (a key built into Chromium).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSecretVault,
  encryptionUnavailableReason,
  type Encryptor,
} from '../../main/secret-vault.ts';

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
