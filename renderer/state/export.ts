/**
 * Export: the bundle of the working config (preview and diff against the last export, then the
 * written file and its `rwb serve` command), earlier exports, and re-loading a bundle.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';

export type ExportResult = OpOutput<'config.export'>;
export type ExportList = OpOutput<'config.exports'>;
export type ImportResult = OpOutput<'config.import'>;
export type BundleFormat = 'json' | 'yaml';

export interface ExportState {
  format: BundleFormat;
  preview: Loadable<ExportResult>;
  exporting: boolean;
  exported: ExportResult | null;
  exportError: ApiError | null;
  exports: Loadable<ExportList>;
  importing: boolean;
  imported: ImportResult | null;
  importError: ApiError | null;
  setFormat(format: BundleFormat): void;
  loadPreview(): Promise<void>;
  exportNow(): Promise<ExportResult | null>;
  loadExports(): Promise<void>;
  importFile(file: string): Promise<ImportResult | null>;
  importText(text: string): Promise<ImportResult | null>;
}

export function createExportStore(
  client: ApiClient,
  onImported?: (result: ImportResult) => void,
): StoreApi<ExportState> {
  return createStore<ExportState>((set, get) => {
    const runImport = async (input: { file: string } | { text: string }) => {
      set({ importing: true, importError: null, imported: null });
      try {
        const imported = await client.call('config.import', input);
        set({ importing: false, imported });
        onImported?.(imported);
        void get().loadPreview();
        return imported;
      } catch (err) {
        set({ importing: false, importError: toApiError(err) });
        return null;
      }
    };
    return {
      format: 'json',
      preview: { state: 'idle' },
      exporting: false,
      exported: null,
      exportError: null,
      exports: { state: 'idle' },
      importing: false,
      imported: null,
      importError: null,

      setFormat(format) {
        set({ format });
        void get().loadPreview();
      },
      async loadPreview() {
        set({ preview: { state: 'loading', previous: dataOf(get().preview) } });
        try {
          set({
            preview: {
              state: 'ready',
              data: await client.call('config.export', { format: get().format, preview: true }),
            },
          });
        } catch (err) {
          set({
            preview: { state: 'error', error: toApiError(err), previous: dataOf(get().preview) },
          });
        }
      },
      async exportNow() {
        set({ exporting: true, exportError: null });
        try {
          const exported = await client.call('config.export', { format: get().format });
          set({ exporting: false, exported, preview: { state: 'ready', data: exported } });
          void get().loadExports();
          return exported;
        } catch (err) {
          set({ exporting: false, exportError: toApiError(err) });
          return null;
        }
      },
      async loadExports() {
        set({ exports: { state: 'loading', previous: dataOf(get().exports) } });
        try {
          set({ exports: { state: 'ready', data: await client.call('config.exports') } });
        } catch (err) {
          set({
            exports: { state: 'error', error: toApiError(err), previous: dataOf(get().exports) },
          });
        }
      },
      importFile: (file) => runImport({ file }),
      importText: (text) => runImport({ text }),
    };
  });
}
