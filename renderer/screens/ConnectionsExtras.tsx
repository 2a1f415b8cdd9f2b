/** Connections: the local ES node, models in use with their execution provider, and secrets. */
import { useEffect, useState, type FormEvent } from 'react';
import { Card, Facts } from '../components/Card.tsx';
import { JobStatusBadge } from '../components/JobProgress.tsx';
import { ErrorBanner, Loading } from '../components/StateViews.tsx';
import { dataOf } from '../state/async.ts';
import type { SecretName } from '../state/connections.ts';
import { connectionsStore, statusStore, useConnections, useStatus } from '../state/stores.ts';

export function LocalNodeCard() {
  const es = dataOf(useStatus((s) => s.es));
  const job = useConnections((s) => s.nodeJob);
  const nodeError = useConnections((s) => s.nodeError);
  const stopping = useConnections((s) => s.stopping);
  const node = es?.localNode ?? null;
  const starting = job?.status === 'running' || job?.status === 'queued' || node?.starting === true;
  const usingIt =
    node !== null && es !== null && es.url.replace(/\/$/, '') === node.url.replace(/\/$/, '');
  return (
    <Card
      title="Local Elasticsearch"
      testId="card-local-node"
      actions={
        <>
          {node?.running ? (
            <button
              type="button"
              className="button danger"
              disabled={stopping}
              onClick={() => void connectionsStore.getState().stopLocalNode()}
              data-testid="local-node-stop"
            >
              {stopping ? 'Stopping…' : 'Stop'}
            </button>
          ) : (
            <button
              type="button"
              className="button secondary"
              disabled={starting}
              onClick={() => void connectionsStore.getState().startLocalNode()}
              data-testid="local-node-start"
            >
              {starting ? 'Starting…' : 'Start'}
            </button>
          )}
          {node?.running && !usingIt ? (
            <button
              type="button"
              className="button secondary"
              onClick={() => void statusStore.getState().connect({ url: node.url })}
              data-testid="local-node-use"
            >
              Use it
            </button>
          ) : null}
        </>
      }
    >
      <p className="muted small">
        The embedded single-node cluster of this profile (`rwb es start`): fetched from Maven
        Central on first start, data under the workbench data directory.
      </p>
      {nodeError ? <ErrorBanner error={nodeError} title="Local node" /> : null}
      <Facts
        testId="local-node-facts"
        rows={[
          [
            'Status',
            node
              ? node.running
                ? 'running'
                : node.starting
                  ? 'starting…'
                  : 'stopped'
              : 'not set up yet',
            'local-node-status',
          ],
          ['URL', node ? <code key="u">{node.url}</code> : '—'],
          ['Version', node?.version ?? '—'],
          ['Heap', node?.heap ?? '—'],
          ['In use', usingIt ? 'yes: the app talks to this node' : 'no'],
        ]}
      />
      {job ? (
        <div className="node-job" data-testid="local-node-job">
          <div className="job-header">
            <strong>{job.label}</strong>
            <JobStatusBadge status={job.status} />
          </div>
          {job.error ? <ErrorBanner error={job.error} title="Start failed" /> : null}
          {job.log.length ? (
            <ol className="log" aria-label="Local node log">
              {job.log.slice(-8).map((line, i) => (
                <li key={i} className={`log-${line.level}`}>
                  {line.message}
                </li>
              ))}
            </ol>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

export function ModelsCard() {
  const models = useConnections((s) => s.models);
  const data = dataOf(models);
  useEffect(() => {
    if (connectionsStore.getState().models.state === 'idle')
      void connectionsStore.getState().loadModels();
  }, []);
  return (
    <Card title="Models" testId="card-models">
      {models.state === 'error' ? (
        <ErrorBanner
          error={models.error}
          title="Could not list the models"
          onRetry={() => void connectionsStore.getState().loadModels()}
        />
      ) : null}
      {!data && models.state !== 'error' ? <Loading label="Listing models…" /> : null}
      {data ? (
        <>
          <Facts
            rows={[
              [
                'Query embedding',
                data.queryEmbedding.enabled
                  ? data.queryEmbedding.model
                  : `off (model ${data.queryEmbedding.model})`,
                'model-text',
              ],
              [
                'Image search',
                data.imageEmbedding.enabled ? data.imageEmbedding.model || 'on' : 'off',
              ],
              [
                'Execution provider',
                <span key="ep" title={data.executionProvider.reason}>
                  {data.executionProvider.provider.toUpperCase()}{' '}
                  <span className="muted small">
                    — {data.executionProvider.reason.split(' (')[0]}
                  </span>
                </span>,
                'model-ep',
              ],
            ]}
          />
          <table className="table compact" data-testid="models-table">
            <caption>Text models</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Installed</th>
                <th scope="col">Used by</th>
              </tr>
            </thead>
            <tbody>
              {data.models.map((m) => (
                <tr key={m.id}>
                  <td title={m.description}>
                    <code>{m.id}</code> <span className="muted small">{m.dims}-d</span>
                  </td>
                  <td>{m.installed ? 'yes' : <span className="muted">no</span>}</td>
                  <td>
                    {m.usedBy.length ? m.usedBy.join(', ') : <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}

function SecretRow({
  entry,
  writable,
}: {
  entry: {
    name: SecretName;
    label: string;
    envVar: string;
    set: boolean;
    origin: 'env' | 'stored' | null;
  };
  writable: boolean;
}) {
  const [value, setValue] = useState('');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await connectionsStore.getState().setSecret(entry.name, value)) setValue('');
  };
  return (
    <tr data-testid={`secret-${entry.name}`}>
      <td>{entry.label}</td>
      <td data-testid="secret-state">
        {entry.set ? (
          entry.origin === 'env' ? (
            `set (env ${entry.envVar})`
          ) : (
            'set (OS keychain)'
          )
        ) : (
          <span className="muted">not set</span>
        )}
      </td>
      <td>
        {writable ? (
          <form className="secret-form" onSubmit={(e) => void save(e)}>
            <input
              type="password"
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-label={`New ${entry.label}`}
              placeholder="new value"
            />
            <button type="submit" className="button secondary small" disabled={!value}>
              Save
            </button>
            {entry.origin === 'stored' ? (
              <button
                type="button"
                className="button danger small"
                onClick={() => void connectionsStore.getState().clearSecret(entry.name)}
              >
                Remove
              </button>
            ) : null}
          </form>
        ) : (
          <code className="small">{entry.envVar}</code>
        )}
      </td>
    </tr>
  );
}

export function SecretsCard() {
  const secrets = useConnections((s) => s.secrets);
  const secretError = useConnections((s) => s.secretError);
  const data = dataOf(secrets);
  useEffect(() => {
    if (connectionsStore.getState().secrets.state === 'idle')
      void connectionsStore.getState().loadSecrets();
  }, []);
  return (
    <Card title="Secrets" testId="card-secrets">
      {secrets.state === 'error' ? (
        <ErrorBanner error={secrets.error} title="Could not read the secrets" />
      ) : null}
      {secretError ? <ErrorBanner error={secretError} title="Could not change the secret" /> : null}
      {!data && secrets.state !== 'error' ? <Loading label="Reading…" /> : null}
      {data ? (
        <>
          <p className="muted small" data-testid="secrets-store">
            {data.store === 'env'
              ? 'Browser mode reads secrets from the environment of `rwb ui` only (set the variable and restart). They never appear in exported bundles, configs or logs.'
              : data.unavailableReason === null
                ? 'Stored encrypted by the operating system (Electron safeStorage). They never appear in exported bundles, configs or logs.'
                : 'Secrets are not stored on this system; the environment variables below still work.'}
          </p>
          {data.unavailableReason !== null ? (
            <p className="secrets-warning small" role="alert" data-testid="secrets-unavailable">
              {data.unavailableReason}
            </p>
          ) : null}
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Secret</th>
                <th scope="col">State</th>
                <th scope="col">{data.writable ? 'Change' : 'Variable'}</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => (
                <SecretRow key={entry.name} entry={entry} writable={data.writable} />
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Card>
  );
}
