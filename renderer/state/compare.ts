/**
 * Compare: 2–4 configs side by side for one query (search.compare), and over a whole query set
 * (eval.run as a job, then per-query deltas). A column is the working config, the working config
 * with Tune's unapplied slider positions, or a saved revision; the first column is the baseline.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import type { Overrides } from './config.ts';
import { shortRevision } from './config.ts';
import { latestOnly } from './latest.ts';

export type CompareResult = OpOutput<'search.compare'>;
export type CompareColumn = CompareResult['columns'][number];

export type ColumnChoice =
  | { kind: 'working' }
  | { kind: 'tuned'; overrides: Overrides }
  | { kind: 'revision'; revisionId: string };

export const MAX_COLUMNS = 4;
export const MIN_COLUMNS = 2;

export function choiceLabel(choice: ColumnChoice): string {
  switch (choice.kind) {
    case 'working':
      return 'working config';
    case 'tuned':
      return `working + ${Object.keys(choice.overrides).length} slider change${Object.keys(choice.overrides).length === 1 ? '' : 's'}`;
    case 'revision':
      return `revision ${shortRevision(choice.revisionId)}`;
  }
}

export function choiceKey(choice: ColumnChoice): string {
  return choice.kind === 'revision' ? `rev:${choice.revisionId}` : choice.kind;
}

export function toConfigRef(choice: ColumnChoice): OpInput<'search.compare'>['configs'][number] {
  const label = choiceLabel(choice);
  switch (choice.kind) {
    case 'working':
      return { label };
    case 'tuned':
      return { label, overrides: choice.overrides };
    case 'revision':
      return { label, revisionId: choice.revisionId };
  }
}

export interface CompareState {
  tenant: string;
  query: string;
  columns: ColumnChoice[];
  /** The user picked columns (so defaults no longer apply). */
  touched: boolean;
  result: Loadable<CompareResult>;
  /** Before the user picks: the latest saved revision against the working config. */
  applyDefaultColumns(latestRevisionId: string | null): void;
  setTenant(tenant: string): void;
  setQuery(query: string): void;
  setColumn(index: number, choice: ColumnChoice): void;
  addColumn(choice: ColumnChoice): void;
  removeColumn(index: number): void;
  run(): Promise<void>;
}

export function createCompareStore(client: ApiClient): StoreApi<CompareState> {
  const calls = latestOnly();
  return createStore<CompareState>((set, get) => ({
    tenant: '',
    query: '',
    columns: [{ kind: 'working' }, { kind: 'working' }],
    touched: false,
    result: { state: 'idle' },

    applyDefaultColumns(latestRevisionId) {
      if (get().touched || !latestRevisionId) return;
      set({ columns: [{ kind: 'revision', revisionId: latestRevisionId }, { kind: 'working' }] });
      void get().run();
    },

    setTenant(tenant) {
      set({ tenant });
      void get().run();
    },
    setQuery: (query) => set({ query }),
    setColumn(index, choice) {
      const columns = [...get().columns];
      columns[index] = choice;
      set({ columns, touched: true });
      void get().run();
    },
    addColumn(choice) {
      if (get().columns.length >= MAX_COLUMNS) return;
      set({ columns: [...get().columns, choice], touched: true });
      void get().run();
    },
    removeColumn(index) {
      if (get().columns.length <= MIN_COLUMNS) return;
      set({ columns: get().columns.filter((_, i) => i !== index), touched: true });
      void get().run();
    },

    async run() {
      const { tenant, query, columns } = get();
      if (!tenant) return;
      const signal = calls.start();
      set({ result: { state: 'loading', previous: dataOf(get().result) } });
      try {
        const data = await client.call(
          'search.compare',
          { tenantId: tenant, query, configs: columns.map(toConfigRef), size: 20, k: 10 },
          { signal },
        );
        if (calls.isCurrent(signal)) set({ result: { state: 'ready', data } });
      } catch (err) {
        if (calls.isCurrent(signal))
          set({
            result: { state: 'error', error: toApiError(err), previous: dataOf(get().result) },
          });
      }
    },
  }));
}
