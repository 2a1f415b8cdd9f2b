/**
 * Secrets at rest in the desktop app: one JSON file in the user-data directory whose values are
 * encrypted by the OS through Electron's safeStorage (Keychain, DPAPI, libsecret). Nothing here
 * is ever logged or exported; when the OS offers no real encryption (none, or Linux's basic_text
 * fallback), secrets are not kept at all.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The slice of Electron's safeStorage the vault uses (a fake in tests). */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron: which secret store backs the encryption. */
  getSelectedStorageBackend?(): string;
}

export interface SecretVault {
  /** Null when secrets can be kept; else why not, in a sentence fit to show the user. */
  unavailableReason(): string | null;
  /** Decrypted values (entries that no longer decrypt are skipped). */
  load(): Record<string, string>;
  save(name: string, value: string | null): Promise<void>;
}

/**
 * Why `encryptor` cannot protect secrets, or null. On Linux without a keyring (GNOME Keyring,
 * KWallet) Electron falls back to its `basic_text` backend: encryptString still "works", but with a
 * key hard-coded in Chromium, so anyone who can read the file can decrypt it. That is no better than
 * plain text, so the vault treats it as no encryption at all.
 */
export function encryptionUnavailableReason(encryptor: Encryptor): string | null {
  if (!encryptor.isEncryptionAvailable()) {
    return 'This system offers no encrypted storage (safeStorage); set the secret in the environment instead';
  }
  if (encryptor.getSelectedStorageBackend?.() === 'basic_text') {
    return (
      'No OS keyring was found (Electron safeStorage fell back to its basic_text backend, whose key is ' +
      'public): secrets are not stored. Install/unlock GNOME Keyring or KWallet, or set the secret in the environment instead'
    );
  }
  return null;
}

export function createSecretVault(encryptor: Encryptor, file: string): SecretVault {
  const readStored = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const unavailableReason = () => encryptionUnavailableReason(encryptor);
  return {
    unavailableReason,
    load() {
      // Values written under basic_text (by an older version) are not trusted either.
      if (unavailableReason() !== null) return {};
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
      const reason = unavailableReason();
      if (value !== null && reason !== null) throw new Error(reason);
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
