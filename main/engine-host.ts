/**
 * The engine host: runs inside the utility process (or any Node process with a message port).
 * Every operation of the contract is invoked here, job events stream back, a call the renderer
 * abandoned is aborted, and secrets stay with main (safeStorage) — the host only holds the
 * decrypted values it was given and asks main to store new ones.
 */
import { createApiContext, type ApiContext } from '../engine/api/context.ts';
import { esConnectionFromEnv, type EsConnection } from '../engine/config/connections.ts';
import { invokeOperation } from '../engine/api/invoke.ts';
import { relayedSecrets, SECRET_NAMES, type SecretName } from '../engine/api/ops/app-secrets.ts';
import { sessionOf } from '../engine/api/ops/workbench-session.ts';
import { RwbError, toRwbError } from '../engine/errors.ts';
import type { FromHost, PortLike, SecretValues, ToHost } from './engine-protocol.ts';

export interface EngineHost {
  readonly ready: Promise<ApiContext>;
  close(): Promise<void>;
}

function knownSecrets(values: SecretValues): Partial<Record<SecretName, string>> {
  const out: Partial<Record<SecretName, string>> = {};
  for (const name of SECRET_NAMES) {
    const value = values[name];
    if (value) out[name] = value;
  }
  return out;
}

/** The ES connection from the environment, with the keychain's credentials where env has none. */
export function esConnectionWith(
  secrets: Partial<Record<SecretName, string>>,
  env: NodeJS.ProcessEnv = process.env,
): EsConnection {
  const connection = esConnectionFromEnv(env);
  return {
    ...connection,
    ...(connection.apiKey === undefined && secrets.esApiKey ? { apiKey: secrets.esApiKey } : {}),
    ...(connection.password === undefined && secrets.esPassword
      ? { password: secrets.esPassword }
      : {}),
  };
}

export interface EngineHostOptions {
  createContext?: (init: Extract<ToHost, { type: 'init' }>) => ApiContext;
  /** Called once main's shutdown has closed everything (the process entry exits then). */
  onShutdown?: () => void;
}

export function startEngineHost(
  port: PortLike<ToHost, FromHost>,
  options: EngineHostOptions = {},
): EngineHost {
  const inFlight = new Map<number, AbortController>();
  const secretWrites = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextWrite = 1;
  let ctx: ApiContext | null = null;
  let resolveReady!: (ctx: ApiContext) => void;
  const ready = new Promise<ApiContext>((resolve) => (resolveReady = resolve));
  let stopEvents: (() => void) | null = null;

  const writeSecret = (name: SecretName, value: string | null) =>
    new Promise<void>((resolve, reject) => {
      const id = nextWrite++;
      secretWrites.set(id, { resolve, reject });
      port.post({ type: 'secret-write', id, name, value });
    });

  const init = (message: Extract<ToHost, { type: 'init' }>) => {
    if (ctx) return;
    const secrets = knownSecrets(message.secrets);
    ctx =
      options.createContext?.(message) ??
      createApiContext({
        mode: 'electron',
        appVersion: message.appVersion,
        es: esConnectionWith(secrets),
        ...(message.profile ? { profile: message.profile } : {}),
      });
    sessionOf(ctx).setSecretSource(
      relayedSecrets(secrets, writeSecret, process.env, message.secretStoreUnavailable ?? null),
    );
    stopEvents = ctx.jobs.subscribe((event) => port.post({ type: 'job-event', event }));
    resolveReady(ctx);
    port.post({ type: 'ready' });
  };

  const invoke = async (message: Extract<ToHost, { type: 'invoke' }>) => {
    const controller = new AbortController();
    inFlight.set(message.id, controller);
    try {
      const context = await ready;
      const value = await invokeOperation(message.name, message.input, context, {
        signal: controller.signal,
      });
      port.post({ type: 'result', id: message.id, envelope: { ok: true, value } });
    } catch (err) {
      port.post({
        type: 'result',
        id: message.id,
        envelope: { ok: false, error: toRwbError(err).toJSON() },
      });
    } finally {
      inFlight.delete(message.id);
    }
  };

  const stop = port.onMessage((message) => {
    switch (message.type) {
      case 'init':
        init(message);
        return;
      case 'invoke':
        void invoke(message);
        return;
      case 'abort':
        inFlight.get(message.id)?.abort();
        return;
      case 'secret-written': {
        const pending = secretWrites.get(message.id);
        secretWrites.delete(message.id);
        if (message.ok) pending?.resolve();
        else
          pending?.reject(
            new RwbError('INTERNAL', message.message ?? 'the OS keychain refused the secret'),
          );
        return;
      }
      case 'shutdown':
        void close().then(() => {
          port.post({ type: 'closed' });
          options.onShutdown?.();
        });
        return;
    }
  });

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closing ??= closeOnce();
    return closing;
  }
  async function closeOnce(): Promise<void> {
    stop();
    stopEvents?.();
    for (const controller of inFlight.values()) controller.abort();
    for (const pending of secretWrites.values())
      pending.reject(new RwbError('CANCELLED', 'the engine is shutting down'));
    secretWrites.clear();
    if (ctx) {
      await sessionOf(ctx).close();
      await ctx.close();
    }
  }

  return { ready, close };
}
