/** Connections & status: the app, the ES connection and the products index. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import type { Loadable } from './async.ts';
import { latestOnly } from './latest.ts';

export type SystemStatus = OpOutput<'system.status'>;
export type EsStatus = OpOutput<'es.status'>;
export type IndexInfo = OpOutput<'index.info'>;

export interface StatusState {
  system: Loadable<SystemStatus>;
  es: Loadable<EsStatus>;
  index: Loadable<IndexInfo>;
  /** Loads everything; a failure of one part leaves the others shown. */
  refresh(): Promise<void>;
  loadIndex(index?: string): Promise<void>;
  connect(connection: OpInput<'es.connect'>): Promise<boolean>;
}

function loading<T>(current: Loadable<T>): Loadable<T> {
  return {
    state: 'loading',
    previous:
      current.state === 'ready' ? current.data : current.state === 'idle' ? null : current.previous,
  };
}

export function createStatusStore(client: ApiClient): StoreApi<StatusState> {
  const indexCalls = latestOnly();
  const esCalls = latestOnly();
  return createStore<StatusState>((set, get) => ({
    system: { state: 'idle' },
    es: { state: 'idle' },
    index: { state: 'idle' },

    async refresh() {
      set({ system: loading(get().system), es: loading(get().es) });
      const system = client.call('system.status').then(
        (data) => set({ system: { state: 'ready', data } }),
        (err) => set({ system: { state: 'error', error: toApiError(err), previous: null } }),
      );
      const esSignal = esCalls.start();
      const es = client.call('es.status', undefined, { signal: esSignal }).then(
        (data) => {
          if (esCalls.isCurrent(esSignal)) set({ es: { state: 'ready', data } });
        },
        (err) => {
          if (esCalls.isCurrent(esSignal))
            set({ es: { state: 'error', error: toApiError(err), previous: null } });
        },
      );
      await Promise.all([system, es, get().loadIndex()]);
    },

    async loadIndex(index) {
      // After a connection change, an answer about the old cluster (slow: retries against a dead
      // URL) must not overwrite the new one: only the newest call may set the state.
      const signal = indexCalls.start();
      set({ index: loading(get().index) });
      try {
        const data = await client.call('index.info', index ? { index } : {}, { signal });
        if (indexCalls.isCurrent(signal)) set({ index: { state: 'ready', data } });
      } catch (err) {
        if (indexCalls.isCurrent(signal))
          set({ index: { state: 'error', error: toApiError(err), previous: null } });
      }
    },

    async connect(connection) {
      // A status check still running against the previous cluster must not report over this answer.
      esCalls.start();
      set({ es: loading(get().es) });
      try {
        const data = await client.call('es.connect', connection);
        set({ es: { state: 'ready', data } });
        // The index and app cards follow in the background; the form can close as soon as ES answered.
        void get().loadIndex();
        void client.call('system.status').then(
          (s) => set({ system: { state: 'ready', data: s } }),
          () => undefined,
        );
        return data.reachable;
      } catch (err) {
        set({ es: { state: 'error', error: toApiError(err), previous: null } });
        return false;
      }
    },
  }));
}
