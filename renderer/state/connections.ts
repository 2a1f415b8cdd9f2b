/**
 * Connections beyond the ES status: the embedded local node (start as a job, stop), the models
 * in use with their execution provider, and which secrets are set and where they come from.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { JobSnapshot } from '../../engine/jobs/job.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import { applyJobEvent } from './ingest.ts';

export type ModelsStatus = OpOutput<'models.status'>;
export type SecretsStatus = OpOutput<'secrets.status'>;
export type SecretName = OpInput<'secrets.set'>['name'];

export interface ConnectionsState {
  models: Loadable<ModelsStatus>;
  secrets: Loadable<SecretsStatus>;
  secretError: ApiError | null;
  nodeJob: JobSnapshot | null;
  nodeError: ApiError | null;
  stopping: boolean;
  loadModels(): Promise<void>;
  loadSecrets(): Promise<void>;
  setSecret(name: SecretName, value: string): Promise<boolean>;
  clearSecret(name: SecretName): Promise<boolean>;
  startLocalNode(): Promise<void>;
  stopLocalNode(): Promise<boolean>;
}

export function createConnectionsStore(
  client: ApiClient,
  onNodeChanged: () => void,
): StoreApi<ConnectionsState> {
  let unsubscribe: (() => void) | null = null;
  return createStore<ConnectionsState>((set, get) => {
    const follow = (jobId: string) => {
      unsubscribe?.();
      unsubscribe = client.onJob(jobId, (event) => {
        const job = get().nodeJob;
        if (!job) return;
        const next = applyJobEvent(job, event);
        set({ nodeJob: next });
        if (event.type === 'status' && next.finishedAt) {
          unsubscribe?.();
          unsubscribe = null;
          void client.call('jobs.get', { jobId }).then(
            (snapshot) => set({ nodeJob: snapshot }),
            () => undefined,
          );
          onNodeChanged();
        }
      });
    };
    const secretChange = async (call: () => Promise<SecretsStatus>) => {
      set({ secretError: null });
      try {
        set({ secrets: { state: 'ready', data: await call() } });
        return true;
      } catch (err) {
        set({ secretError: toApiError(err) });
        return false;
      }
    };
    return {
      models: { state: 'idle' },
      secrets: { state: 'idle' },
      secretError: null,
      nodeJob: null,
      nodeError: null,
      stopping: false,

      async loadModels() {
        set({ models: { state: 'loading', previous: dataOf(get().models) } });
        try {
          set({ models: { state: 'ready', data: await client.call('models.status') } });
        } catch (err) {
          set({
            models: { state: 'error', error: toApiError(err), previous: dataOf(get().models) },
          });
        }
      },
      async loadSecrets() {
        set({ secrets: { state: 'loading', previous: dataOf(get().secrets) } });
        try {
          set({ secrets: { state: 'ready', data: await client.call('secrets.status') } });
        } catch (err) {
          set({
            secrets: { state: 'error', error: toApiError(err), previous: dataOf(get().secrets) },
          });
        }
      },
      setSecret: (name, value) => secretChange(() => client.call('secrets.set', { name, value })),
      clearSecret: (name) => secretChange(() => client.call('secrets.clear', { name })),

      async startLocalNode() {
        set({ nodeError: null });
        try {
          const { jobId } = await client.call('es.local.start', {});
          set({ nodeJob: await client.call('jobs.get', { jobId }) });
          follow(jobId);
        } catch (err) {
          set({ nodeError: toApiError(err) });
        }
      },
      async stopLocalNode() {
        set({ stopping: true, nodeError: null });
        try {
          await client.call('es.local.stop');
          set({ stopping: false });
          onNodeChanged();
          return true;
        } catch (err) {
          set({ stopping: false, nodeError: toApiError(err) });
          return false;
        }
      },
    };
  });
}
