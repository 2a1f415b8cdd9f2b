/**
 * What every operation handler gets: the ES connection in use (changeable at runtime from the
 * Connections screen), the profile, the index the screens work on and the job manager.
 */
import type { Client } from '@elastic/elasticsearch';
import { esConnectionFromEnv, type EsConnection } from '../config/connections.ts';
import { JobManager } from '../jobs/manager.ts';
import { createEsClient } from './es-client.ts';

export type AppMode = 'electron' | 'browser' | 'cli' | 'test';

export interface ApiContext {
  readonly mode: AppMode;
  readonly appVersion: string;
  readonly profile: string;
  /** The products index the screens read when a request names none. */
  readonly defaultIndex: string;
  readonly jobs: JobManager;
  esConnection(): EsConnection;
  /** One client per connection; replaced (and the old one closed) when the connection changes. */
  esClient(): Client;
  setEsConnection(connection: EsConnection): Promise<void>;
  /** Cancels jobs and closes clients (app shutdown). */
  close(): Promise<void>;
}

export interface ApiContextOptions {
  mode: AppMode;
  appVersion?: string;
  profile?: string;
  defaultIndex?: string;
  es?: EsConnection;
  jobs?: JobManager;
}

export const DEFAULT_INDEX = 'search_products';

export function defaultIndexFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.RWB_INDEX?.trim() || DEFAULT_INDEX;
}

export function createApiContext(options: ApiContextOptions): ApiContext {
  let connection = options.es ?? esConnectionFromEnv();
  let client: Client | null = null;
  const jobs = options.jobs ?? new JobManager();
  return {
    mode: options.mode,
    appVersion: options.appVersion ?? '0.1.0',
    profile: options.profile ?? process.env.RWB_PROFILE ?? 'default',
    defaultIndex: options.defaultIndex ?? defaultIndexFromEnv(),
    jobs,
    esConnection: () => connection,
    esClient: () => (client ??= createEsClient(connection)),
    async setEsConnection(next) {
      const previous = client;
      connection = next;
      client = null;
      await previous?.close();
    },
    async close() {
      await jobs.shutdown();
      await client?.close();
      client = null;
    },
  };
}
