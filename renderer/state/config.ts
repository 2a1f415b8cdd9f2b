/**
 * The session's working SearchConfig and its saved revisions, shared by every screen: the
 * playground searches with it, Tune moves its sliders, Compare and Experiments list revisions.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { SearchConfig } from '../../engine/config/search-config-schema.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';

export type WorkingConfig = OpOutput<'config.get'>;
export type Tunable = WorkingConfig['tunables'][number];
export type RevisionList = OpOutput<'config.list'>;
export type RevisionInfo = RevisionList['revisions'][number];
export type Overrides = NonNullable<OpInput<'config.set'>['overrides']>;

export interface ConfigState {
  working: Loadable<WorkingConfig>;
  revisions: Loadable<RevisionList>;
  /** The last save/checkout/apply failure, shown next to the buttons that caused it. */
  actionError: ApiError | null;
  busy: boolean;
  load(): Promise<void>;
  loadRevisions(): Promise<void>;
  /** Applies overrides to the working config (e.g. accepted slider positions). */
  apply(overrides: Overrides): Promise<boolean>;
  /** Replaces the working config with a whole config (a tuner result, a loaded bundle). */
  replace(config: Record<string, unknown>): Promise<boolean>;
  checkout(revisionId: string): Promise<boolean>;
  reset(): Promise<boolean>;
  save(note: string): Promise<OpOutput<'config.save'> | null>;
}

/** The working config as a typed SearchConfig (the renderer only reads it). */
export function searchConfigOf(working: WorkingConfig | null): SearchConfig | null {
  return working ? (working.config as unknown as SearchConfig) : null;
}

export function shortRevision(id: string | null | undefined): string {
  return id ? id.replace(/^rev-/, '').slice(0, 8) : '—';
}

export function createConfigStore(client: ApiClient): StoreApi<ConfigState> {
  return createStore<ConfigState>((set, get) => {
    const change = async (input: OpInput<'config.set'>): Promise<boolean> => {
      set({ busy: true, actionError: null });
      try {
        const data = await client.call('config.set', input);
        set({ working: { state: 'ready', data }, busy: false });
        void get().loadRevisions();
        return true;
      } catch (err) {
        set({ busy: false, actionError: toApiError(err) });
        return false;
      }
    };
    return {
      working: { state: 'idle' },
      revisions: { state: 'idle' },
      actionError: null,
      busy: false,

      async load() {
        set({ working: { state: 'loading', previous: dataOf(get().working) } });
        try {
          set({ working: { state: 'ready', data: await client.call('config.get') } });
        } catch (err) {
          set({
            working: { state: 'error', error: toApiError(err), previous: dataOf(get().working) },
          });
        }
      },

      async loadRevisions() {
        set({ revisions: { state: 'loading', previous: dataOf(get().revisions) } });
        try {
          set({ revisions: { state: 'ready', data: await client.call('config.list') } });
        } catch (err) {
          set({
            revisions: {
              state: 'error',
              error: toApiError(err),
              previous: dataOf(get().revisions),
            },
          });
        }
      },

      apply: (overrides) => change({ overrides }),
      replace: (config) => change({ config }),
      checkout: (revisionId) => change({ revisionId }),
      reset: () => change({ reset: true }),

      async save(note) {
        set({ busy: true, actionError: null });
        try {
          const saved = await client.call('config.save', { note });
          set({ working: { state: 'ready', data: saved.working }, busy: false });
          void get().loadRevisions();
          return saved;
        } catch (err) {
          set({ busy: false, actionError: toApiError(err) });
          return null;
        }
      },
    };
  });
}
