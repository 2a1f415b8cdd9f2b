/**
 * Export: the versioned bundle of the working config (SearchConfig, mapping, ES search template,
 * model ids) as JSON or YAML, the changes since the last export, the file and a copyable
 * `rwb serve` command, earlier exports, and re-loading a bundle into the working config.
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { formatDateTime, formatTime } from '../format.ts';
import { dataOf } from '../state/async.ts';
import type { ExportResult } from '../state/export.ts';
import { exportStore, useConfig, useExport } from '../state/stores.ts';

function short(value: unknown): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function Changes({ data }: { data: ExportResult }) {
  if (!data.previous)
    return (
      <p className="muted" data-testid="export-first">
        No earlier export: this will be the first.
      </p>
    );
  if (data.changes.length === 0)
    return (
      <p className="muted" data-testid="export-no-changes">
        No changes since the export of {formatTime(data.previous.createdAt)}.
      </p>
    );
  return (
    <div className="table-scroll">
      <table className="table compact" data-testid="export-changes">
        <caption>
          {data.changes.length} change{data.changes.length === 1 ? '' : 's'} since{' '}
          {formatTime(data.previous.createdAt)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {data.changes.map((c) => (
            <tr key={c.path} className={`change-${c.kind}`}>
              <td>
                <code>{c.path}</code>
              </td>
              <td className={c.kind === 'added' ? 'muted' : 'down'}>{short(c.before)}</td>
              <td className={c.kind === 'removed' ? 'muted' : 'up'}>{short(c.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BundleSummary({ bundle }: { bundle: Record<string, unknown> }) {
  const models = bundle.models as
    { text: { id: string; dims: number } | null; image: { id: string } | null } | undefined;
  const config = bundle.config as { name?: string; schemaVersion?: number } | undefined;
  const template = bundle.searchTemplate as { id?: string } | undefined;
  const rows: Array<[string, string]> = [
    ['Bundle version', String(bundle.bundleVersion)],
    ['Index', String(bundle.index)],
    ['Config', `${config?.name ?? '—'} (schema v${config?.schemaVersion ?? '?'})`],
    [
      'Text model',
      models?.text ? `${models.text.id} · ${models.text.dims}-d` : 'none (no query vectors)',
    ],
    ['Image model', models?.image?.id ?? 'none'],
    ['Search template', template?.id ?? '—'],
  ];
  return (
    <dl className="bundle-facts" data-testid="bundle-summary">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ReloadCard() {
  const exports = useExport((s) => s.exports);
  const importing = useExport((s) => s.importing);
  const imported = useExport((s) => s.imported);
  const importError = useExport((s) => s.importError);
  const [text, setText] = useState('');
  const list = dataOf(exports)?.exports ?? [];
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    void file.text().then((content) => exportStore.getState().importText(content));
    e.target.value = '';
  };
  return (
    <Card title="Re-load a bundle" testId="card-reload">
      <p className="muted small">
        Loading a bundle makes its config the working config (validated; bundles with secrets are
        refused).
      </p>
      {importError ? <ErrorBanner error={importError} title="Could not load the bundle" /> : null}
      {imported ? (
        <p className="note" role="status" data-testid="import-done">
          Loaded the bundle exported {formatTime(imported.createdAt)} (index {imported.index}
          {imported.bundleIndexDiffers ? ', not the index this workbench uses' : ''}): it is now the
          working config.
        </p>
      ) : null}
      {exports.state === 'error' ? (
        <ErrorBanner error={exports.error} title="Could not list the exports" />
      ) : null}
      {list.length === 0 && exports.state === 'ready' ? (
        <p className="muted">No exports yet.</p>
      ) : null}
      {list.length ? (
        <div className="table-scroll">
          <table className="table compact" data-testid="export-list">
            <thead>
              <tr>
                <th scope="col">Exported</th>
                <th scope="col">File</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.file}>
                  <td>{formatDateTime(e.createdAt)}</td>
                  <td>
                    <code>{e.file.split(/[\\/]/).pop()}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={importing}
                      onClick={() => void exportStore.getState().importFile(e.file)}
                      data-testid="export-reload"
                    >
                      Load
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="reload-paste">
        <label className="field grow">
          <span>Or paste a bundle (JSON or YAML)</span>
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={4}
            spellCheck={false}
            data-testid="import-text"
          />
        </label>
        <div className="reload-actions">
          <button
            type="button"
            className="button secondary small"
            disabled={!text.trim() || importing}
            onClick={() => void exportStore.getState().importText(text)}
            data-testid="import-submit"
          >
            Load pasted bundle
          </button>
          <label className="button secondary small file-button">
            Choose a file…
            <input
              type="file"
              accept=".json,.yaml,.yml,application/json"
              onChange={onFile}
              className="sr-only"
            />
          </label>
        </div>
      </div>
    </Card>
  );
}

export function ExportScreen() {
  const format = useExport((s) => s.format);
  const preview = useExport((s) => s.preview);
  const exporting = useExport((s) => s.exporting);
  const exported = useExport((s) => s.exported);
  const exportError = useExport((s) => s.exportError);
  const data = dataOf(preview);

  // Rebuilt whenever the working config changes (Tune, a checkout, a re-loaded bundle).
  const workingRevision = useConfig((s) => dataOf(s.working)?.revisionId);
  useEffect(() => {
    void exportStore.getState().loadPreview();
    void exportStore.getState().loadExports();
  }, [workingRevision]);

  return (
    <div className="export-screen" data-testid="export-screen">
      <div className="grid export-grid">
        <Card
          title="Bundle of the working config"
          testId="card-bundle"
          actions={
            <>
              <fieldset className="segmented" aria-label="Format">
                {(['json', 'yaml'] as const).map((f) => (
                  <label key={f} className="check">
                    <input
                      type="radio"
                      name="bundle-format"
                      value={f}
                      checked={format === f}
                      onChange={() => exportStore.getState().setFormat(f)}
                      data-testid={`format-${f}`}
                    />
                    {f.toUpperCase()}
                  </label>
                ))}
              </fieldset>
              <button
                type="button"
                className="button"
                disabled={exporting || !data}
                onClick={() => void exportStore.getState().exportNow()}
                data-testid="export-run"
              >
                {exporting ? 'Exporting…' : 'Export'}
              </button>
            </>
          }
        >
          {exportError ? <ErrorBanner error={exportError} title="Export failed" /> : null}
          {preview.state === 'error' ? (
            <ErrorBanner
              error={preview.error}
              title="Could not build the bundle"
              onRetry={() => void exportStore.getState().loadPreview()}
            />
          ) : null}
          {!data && preview.state !== 'error' ? <Loading label="Building the bundle…" /> : null}
          {exported?.file && exported.command ? (
            <div className="export-done" role="status" data-testid="export-done">
              <p>
                Written to <code data-testid="export-file">{exported.file}</code>. Serve it with:
              </p>
              <CopyField
                value={exported.command}
                label="Command that serves this bundle"
                testId="export-command"
              />
            </div>
          ) : null}
          {data ? (
            <>
              <BundleSummary bundle={data.bundle} />
              <pre
                className="bundle-text"
                tabIndex={0}
                aria-label={`The bundle as ${data.format.toUpperCase()}`}
                data-testid="bundle-text"
              >
                {data.text}
              </pre>
            </>
          ) : null}
        </Card>
        <div className="stack">
          <Card
            title={data?.file ? 'What this export changed' : 'Changes since the last export'}
            testId="card-changes"
          >
            {data ? (
              <Changes data={data} />
            ) : preview.state === 'error' ? (
              <EmptyState title="No bundle to compare" />
            ) : (
              <Loading label="Comparing…" />
            )}
          </Card>
          <ReloadCard />
        </div>
      </div>
    </div>
  );
}
