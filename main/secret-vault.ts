/**
 * Secrets at rest in the desktop app: one JSON file in the user-data directory whose values are
 * encrypted by the OS through Electron's safeStorage (Keychain, DPAPI, libsecret). Nothing here
 * is ever logged or exported; when the OS offers no encryption, secrets are not kept at all.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The slice of Electron's safeStorage the vault uses (a fake in tests). */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface SecretVault {
  /** Decrypted values (entries that no longer decrypt are skipped). */
  load(): Record<string, string>;
  save(name: string, value: string | null): Promise<void>;
}

export function createSecretVault(encryptor: Encryptor, file: string): SecretVault {
  const readStored = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    load() {
      if (!encryptor.isEncryptionAvailable()) return {};
      const out: Record<string, string> = {};
      for (const [name, encoded] of Object.entries(readStored())) {
        try {
          out[name] = encryptor.decryptString(Buffer.from(encoded, 'base64'));
        } catch {
          // Encrypted under another OS user or keychain: unusable, so treat it as not set.
        }
      }
      return out;
    },
    async save(name, value) {
      if (value !== null && !encryptor.isEncryptionAvailable()) {
        throw new Error(
          'This system offers no encrypted storage (safeStorage); set the secret in the environment instead',
        );
      }
      const stored = await readFile(file, 'utf8').then(
        (text) => JSON.parse(text) as Record<string, string>,
        () => ({}) as Record<string, string>,
      );
      if (value === null) delete stored[name];
      else stored[name] = encryptor.encryptString(value).toString('base64');
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.tmp`;
      await writeFile(temp, JSON.stringify(stored, null, 2), { mode: 0o600 });
      await rename(temp, file);
    },
  };
}
