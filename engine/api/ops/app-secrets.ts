/**
 * Secrets the workbench may need: Elasticsearch password / API key, the MySQL password and the
 * DeepL key. They never enter a SearchConfig, an exported bundle or a log line. Where they come
 * from depends on the host: the desktop app keeps them encrypted with Electron's safeStorage (main
 * process) and hands the values to the engine; browser mode reads the environment only.
 */
import { RwbError } from '../../errors.ts';
import { registerSecret } from '../../net/redact.ts';

export const SECRET_NAMES = ['esPassword', 'esApiKey', 'mysqlPassword', 'deeplApiKey'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const SECRET_INFO: Readonly<Record<SecretName, { label: string; envVar: string }>> = {
  esPassword: { label: 'Elasticsearch password', envVar: 'RWB_ES_PASSWORD' },
  esApiKey: { label: 'Elasticsearch API key', envVar: 'RWB_ES_API_KEY' },
  mysqlPassword: { label: 'MySQL password', envVar: 'RWB_MYSQL_PASSWORD' },
  deeplApiKey: { label: 'DeepL API key', envVar: 'RWB_DEEPL_API_KEY' },
};

export type SecretOrigin = 'env' | 'stored';

export interface SecretSource {
  /** 'env': read-only environment (browser mode); 'safeStorage': OS-encrypted (desktop). */
  readonly kind: 'env' | 'safeStorage';
  readonly writable: boolean;
  /** Why secrets cannot be stored here (a sentence for the user), or null. */
  readonly unavailableReason: string | null;
  get(name: SecretName): string | undefined;
  origin(name: SecretName): SecretOrigin | null;
  set(name: SecretName, value: string): Promise<void>;
  clear(name: SecretName): Promise<void>;
}

/** Browser mode and the CLI: the process environment, read-only. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): SecretSource {
  const read = (name: SecretName): string | undefined => {
    const value = env[SECRET_INFO[name].envVar] || undefined;
    // Whatever reads a secret may hand it to a driver that quotes it: let error messages hide it.
    registerSecret(value);
    return value;
  };
  const refuse = (name: SecretName): never => {
    throw new RwbError(
      'INVALID_INPUT',
      `In browser mode secrets come from the environment only: set ${SECRET_INFO[name].envVar} and restart \`rwb ui\` (the desktop app keeps them in the OS keychain)`,
    );
  };
  return {
    kind: 'env',
    writable: false,
    unavailableReason: null,
    get: read,
    origin: (name) => (read(name) ? 'env' : null),
    set: async (name) => refuse(name),
    clear: async (name) => refuse(name),
  };
}

/**
 * Values the host decrypted and sent over (desktop utility process), with the environment as the
 * fallback; writes go back to the host, which encrypts and stores them. When main said its vault
 * cannot protect secrets (`unavailableReason`: no OS encryption, or Linux's basic_text fallback),
 * the source is read-only and a write is refused with that reason, before anything is sent.
 */
export function relayedSecrets(
  initial: Partial<Record<SecretName, string>>,
  write: (name: SecretName, value: string | null) => Promise<void>,
  env: NodeJS.ProcessEnv = process.env,
  unavailableReason: string | null = null,
): SecretSource & { update(values: Partial<Record<SecretName, string>>): void } {
  let stored = { ...initial };
  const fromEnv = secretsFromEnv(env);
  const refuseWhenUnavailable = () => {
    if (unavailableReason !== null) throw new RwbError('INVALID_INPUT', unavailableReason);
  };
  return {
    kind: 'safeStorage',
    writable: unavailableReason === null,
    unavailableReason,
    get: (name) => {
      registerSecret(stored[name]);
      return stored[name] ?? fromEnv.get(name);
    },
    origin: (name) => (stored[name] ? 'stored' : fromEnv.origin(name)),
    async set(name, value) {
      refuseWhenUnavailable();
      await write(name, value);
      stored = { ...stored, [name]: value };
    },
    async clear(name) {
      await write(name, null);
      const { [name]: _dropped, ...rest } = stored;
      stored = rest;
    },
    update(values) {
      stored = { ...values };
    },
  };
}
