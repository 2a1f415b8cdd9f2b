import { useState, type FormEvent } from 'react';
import type { IngestRequest } from '../state/ingest.ts';

const MODELS = [
  { id: 'bge-small-zh-v15-q', label: 'bge-small-zh v1.5, quantized (512-d)' },
  { id: 'bge-small-en-v15-q', label: 'bge-small-en v1.5, quantized (384-d)' },
  { id: '', label: 'None: index without vectors' },
];

export function IngestForm({
  busy,
  onStart,
}: {
  busy: boolean;
  onStart: (request: IngestRequest) => void;
}) {
  const [sourceKind, setSourceKind] = useState<'mysql' | 'file'>('mysql');
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('3306');
  const [user, setUser] = useState('root');
  const [password, setPassword] = useState('');
  const [database, setDatabase] = useState('rwb_demo');
  const [filePath, setFilePath] = useState('');
  const [tenants, setTenants] = useState('');
  const [index, setIndex] = useState('');
  const [model, setModel] = useState(MODELS[0]!.id);
  const [recreate, setRecreate] = useState(false);
  const [recreateIndex, setRecreateIndex] = useState(false);
  const [includeUnpublished, setIncludeUnpublished] = useState(false);
  const [incremental, setIncremental] = useState(false);
  const [batchSize, setBatchSize] = useState('500');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const tenantIds = tenants
      .split(/[,\s]+/)
      .map((t) => t.trim())
      .filter(Boolean);
    onStart({
      source:
        sourceKind === 'mysql'
          ? { kind: 'mysql', connection: { host, port: Number(port), user, password, database } }
          : { kind: 'file', path: filePath.trim() },
      ...(tenantIds.length ? { tenantIds } : {}),
      ...(index.trim() ? { index: index.trim() } : {}),
      recreate,
      recreateIndex,
      includeUnpublished,
      incremental,
      batchSize: Number(batchSize),
      embedding: { model: model || null },
    });
  };

  return (
    <form className="form" onSubmit={submit} data-testid="ingest-form" aria-label="Start an ingest">
      <fieldset className="segmented">
        <legend>Source</legend>
        <label>
          <input
            type="radio"
            name="source"
            value="mysql"
            checked={sourceKind === 'mysql'}
            onChange={() => setSourceKind('mysql')}
          />{' '}
          MySQL
        </label>
        <label>
          <input
            type="radio"
            name="source"
            value="file"
            checked={sourceKind === 'file'}
            onChange={() => setSourceKind('file')}
            data-testid="source-file"
          />{' '}
          File (NDJSON / JSON)
        </label>
      </fieldset>
      {sourceKind === 'mysql' ? (
        <div className="form-row">
          <label className="field grow">
            <span>Host</span>
            <input value={host} onChange={(e) => setHost(e.target.value)} required />
          </label>
          <label className="field narrow">
            <span>Port</span>
            <input
              type="number"
              min={1}
              max={65535}
              value={port}
              onChange={(e) => setPort(e.target.value)}
              required
            />
          </label>
          <label className="field">
            <span>User</span>
            <input
              value={user}
              autoComplete="username"
              onChange={(e) => setUser(e.target.value)}
              required
            />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Database</span>
            <input
              value={database}
              onChange={(e) => setDatabase(e.target.value)}
              required
              data-testid="mysql-database"
            />
          </label>
        </div>
      ) : (
        <div className="form-row">
          <label className="field grow">
            <span>File path (on the machine running the engine)</span>
            <input
              value={filePath}
              onChange={(e) => setFilePath(e.target.value)}
              placeholder="/path/to/products.ndjson"
              required
              data-testid="file-path"
            />
          </label>
        </div>
      )}
      <div className="form-row">
        <label className="field grow">
          <span>Tenants (comma-separated; empty = all)</span>
          <input
            value={tenants}
            onChange={(e) => setTenants(e.target.value)}
            placeholder="e.g. 1, 2"
            data-testid="ingest-tenants"
          />
        </label>
        <label className="field">
          <span>Index (empty = default)</span>
          <input
            value={index}
            onChange={(e) => setIndex(e.target.value)}
            placeholder="search_products"
            data-testid="ingest-index"
          />
        </label>
        <label className="field">
          <span>Text embeddings</span>
          <select
            value={model}
            onChange={(e) => setModel(e.target.value)}
            data-testid="ingest-model"
          >
            {MODELS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>Batch size</span>
          <input
            type="number"
            min={1}
            max={10000}
            value={batchSize}
            onChange={(e) => setBatchSize(e.target.value)}
          />
        </label>
      </div>
      <div className="form-row checks">
        <label className="check">
          <input
            type="checkbox"
            checked={recreate}
            onChange={(e) => setRecreate(e.target.checked)}
            data-testid="ingest-recreate"
          />{' '}
          Re-ingest from scratch (removes these tenants&apos; documents first; other tenants are
          kept)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={recreateIndex}
            onChange={(e) => setRecreateIndex(e.target.checked)}
            data-testid="ingest-recreate-index"
          />{' '}
          Drop the whole index first (every tenant; asks before deleting)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={includeUnpublished}
            onChange={(e) => setIncludeUnpublished(e.target.checked)}
            data-testid="ingest-include-unpublished"
          />{' '}
          Include unpublished products
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={incremental}
            onChange={(e) => setIncremental(e.target.checked)}
          />{' '}
          Incremental (only products updated since the last run)
        </label>
        <button type="submit" className="button" disabled={busy} data-testid="ingest-start">
          {busy ? 'Starting…' : 'Start ingest'}
        </button>
      </div>
    </form>
  );
}
