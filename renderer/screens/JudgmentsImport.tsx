/** Import judgments (CSV · RRE · TREC) as a query set, and export the selected one. */
import { useState, type FormEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { ErrorBanner } from '../components/StateViews.tsx';
import type { JudgmentFormat } from '../state/judgments.ts';
import { judgmentsStore, useJudgments } from '../state/stores.ts';
import { useIndexTenants } from './shared.tsx';

const FORMATS: Array<{ id: JudgmentFormat; label: string; extension: string }> = [
  { id: 'csv', label: 'CSV (query,docid,rating)', extension: 'csv' },
  { id: 'rre', label: 'RRE ratings JSON', extension: 'json' },
  { id: 'trec', label: 'TREC qrels', extension: 'qrels' },
];

function formatOfFile(name: string): JudgmentFormat {
  if (/\.json$/i.test(name)) return 'rre';
  if (/\.(qrels|txt)$/i.test(name)) return 'trec';
  return 'csv';
}

/** Offers text as a download (a blob URL on a temporary link). */
function download(fileName: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function JudgmentsImport() {
  const { tenants } = useIndexTenants();
  const importing = useJudgments((s) => s.importing);
  const importResult = useJudgments((s) => s.importResult);
  const importError = useJudgments((s) => s.importError);
  const selectedId = useJudgments((s) => s.selectedId);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('');
  const [format, setFormat] = useState<JudgmentFormat>('csv');
  const [overwrite, setOverwrite] = useState(false);
  const [exportFormat, setExportFormat] = useState<JudgmentFormat>('csv');
  const chosenTenant = tenant || tenants[0]?.tenantId || '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const text = await file.text();
    await judgmentsStore.getState().importJudgments({
      text,
      format,
      name: name.trim() || file.name.replace(/\.[^.]+$/, ''),
      ...(chosenTenant ? { tenant: chosenTenant } : {}),
      overwrite,
    });
  };
  const exportSelected = async () => {
    const answer = await judgmentsStore.getState().exportJudgments(exportFormat);
    if (!answer) return;
    download(answer.fileName, answer.content);
    if (answer.queries)
      download(answer.fileName.replace(/\.qrels$/, '.queries.tsv'), answer.queries);
  };

  return (
    <Card title="Import and export" testId="card-judgments-io">
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Import judgments">
        <label className="field">
          <span>Judgments file</span>
          <input
            type="file"
            accept=".csv,.json,.qrels,.txt"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f) setFormat(formatOfFile(f.name));
            }}
            data-testid="judgments-file"
          />
        </label>
        <div className="form-row">
          <label className="field">
            <span>Format</span>
            <select value={format} onChange={(e) => setFormat(e.target.value as JudgmentFormat)}>
              {FORMATS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Tenant</span>
            <select value={chosenTenant} onChange={(e) => setTenant(e.target.value)}>
              {tenants.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.tenantId}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span>Name of the query set</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={file ? file.name.replace(/\.[^.]+$/, '') : 'e.g. top-queries'}
            data-testid="judgments-name"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={overwrite}
            onChange={(e) => setOverwrite(e.target.checked)}
          />
          Replace a set with the same name
        </label>
        <button
          type="submit"
          className="button"
          disabled={!file || importing}
          data-testid="judgments-import"
        >
          {importing ? 'Importing…' : 'Import'}
        </button>
      </form>
      {importError ? <ErrorBanner error={importError} title="Import failed" /> : null}
      {importResult ? (
        <p className="note" role="status" data-testid="judgments-imported">
          Imported “{importResult.info.name}”: {importResult.stats.ratingsKept} ratings kept,{' '}
          {importResult.stats.rowsRejected} rows rejected
          {importResult.issues.length
            ? ` (${importResult.issues.length} issue${importResult.issues.length === 1 ? '' : 's'}, first: ${importResult.issues[0]!.message})`
            : ''}
          .
        </p>
      ) : null}
      <div className="form-row export-row">
        <label className="field">
          <span>Export the selected set as</span>
          <select
            value={exportFormat}
            onChange={(e) => setExportFormat(e.target.value as JudgmentFormat)}
          >
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button secondary"
          disabled={!selectedId}
          onClick={() => void exportSelected()}
          data-testid="judgments-export"
        >
          Export
        </button>
      </div>
    </Card>
  );
}
