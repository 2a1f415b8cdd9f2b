import { useState, type FormEvent } from 'react';
import { Card, Facts } from '../components/Card.tsx';
import { LocalNodeCard, ModelsCard, SecretsCard } from './ConnectionsExtras.tsx';
import { HealthBadge } from '../components/HealthBadge.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { formatCount } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { statusStore, useNavigation, useStatus } from '../state/stores.ts';

function EsCard() {
  const es = useStatus((s) => s.es);
  const data = dataOf(es);
  const [editing, setEditing] = useState(false);
  return (
    <Card
      title="Elasticsearch"
      testId="card-es"
      actions={
        <>
          <button
            type="button"
            className="button secondary"
            onClick={() => setEditing((v) => !v)}
            data-testid="es-change"
          >
            {editing ? 'Close' : 'Change…'}
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => void statusStore.getState().refresh()}
            data-testid="status-refresh"
          >
            Refresh
          </button>
        </>
      }
    >
      {es.state === 'error' ? (
        <ErrorBanner error={es.error} title="Could not read the cluster status" />
      ) : null}
      {!data && es.state !== 'error' ? <Loading label="Contacting Elasticsearch…" /> : null}
      {data ? (
        <>
          <Facts
            testId="es-facts"
            rows={[
              [
                'Health',
                <HealthBadge
                  key="h"
                  health={data.reachable ? (data.health ?? 'unknown') : 'unreachable'}
                  testId="es-health"
                />,
              ],
              ['URL', <code key="u">{data.url}</code>, 'es-url'],
              ['Version', data.version ?? '—', 'es-version'],
              ['Cluster', data.clusterName ?? '—'],
              ['Nodes', formatCount(data.nodes)],
              [
                'Auth',
                data.auth === 'none'
                  ? 'None'
                  : data.auth === 'apiKey'
                    ? 'API key'
                    : 'User and password',
              ],
              [
                'Local node',
                data.localNode
                  ? data.localNode.running
                    ? `running at ${data.localNode.url} (ES ${data.localNode.version ?? '?'}, heap ${data.localNode.heap ?? '?'})`
                    : data.localNode.starting
                      ? 'starting…'
                      : 'stopped (start it with `rwb es start`)'
                  : 'not set up',
                'es-local-node',
              ],
            ]}
          />
          {data.error ? (
            <ErrorBanner error={data.error} title="Elasticsearch is not reachable" />
          ) : null}
        </>
      ) : null}
      {editing ? (
        <ConnectForm initialUrl={data?.url ?? ''} onDone={() => setEditing(false)} />
      ) : null}
    </Card>
  );
}

function ConnectForm({ initialUrl, onDone }: { initialUrl: string; onDone: () => void }) {
  const [url, setUrl] = useState(initialUrl);
  const [auth, setAuth] = useState<'none' | 'apiKey' | 'basic'>('none');
  const [apiKey, setApiKey] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const ok = await statusStore.getState().connect({
      url: url.trim(),
      ...(auth === 'apiKey' ? { apiKey } : {}),
      ...(auth === 'basic' ? { username, password } : {}),
    });
    setBusy(false);
    if (ok) onDone();
  };
  return (
    <form
      className="form inline-form"
      onSubmit={(e) => void submit(e)}
      data-testid="es-connect-form"
    >
      <label className="field grow">
        <span>Cluster URL</span>
        <input
          type="url"
          required
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="http://127.0.0.1:9200"
          data-testid="es-url-input"
        />
      </label>
      <label className="field">
        <span>Authentication</span>
        <select value={auth} onChange={(e) => setAuth(e.target.value as typeof auth)}>
          <option value="none">None</option>
          <option value="apiKey">API key</option>
          <option value="basic">User and password</option>
        </select>
      </label>
      {auth === 'apiKey' ? (
        <label className="field grow">
          <span>API key</span>
          <input
            type="password"
            autoComplete="off"
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </label>
      ) : null}
      {auth === 'basic' ? (
        <>
          <label className="field">
            <span>User</span>
            <input
              value={username}
              autoComplete="username"
              onChange={(e) => setUsername(e.target.value)}
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
        </>
      ) : null}
      <button type="submit" className="button" disabled={busy}>
        {busy ? 'Connecting…' : 'Connect'}
      </button>
      <p className="hint">
        Kept for this session only; credentials are never written to exported files.
      </p>
    </form>
  );
}

function describeLanguage(analysis: { index: string; search: string } | null): string {
  if (!analysis) return '—';
  return analysis.index === analysis.search
    ? analysis.index
    : `${analysis.index} (search: ${analysis.search})`;
}

function IndexCard() {
  const index = useStatus((s) => s.index);
  const go = useNavigation((s) => s.go);
  const data = dataOf(index);
  return (
    <Card
      title="Products index"
      testId="card-index"
      actions={
        index.state === 'loading' && data ? <span className="muted">Updating…</span> : undefined
      }
    >
      {index.state === 'error' ? (
        <ErrorBanner
          error={index.error}
          title="Could not read the index"
          onRetry={() => void statusStore.getState().loadIndex()}
        />
      ) : null}
      {!data && index.state !== 'error' ? <Loading label="Reading the index…" /> : null}
      {data && !data.exists ? (
        <EmptyState
          title={`Index “${data.index}” does not exist yet`}
          testId="index-missing"
          action={
            <button type="button" className="button" onClick={() => go('ingest')}>
              Go to Ingest
            </button>
          }
        >
          Ingest a catalog to create it.
        </EmptyState>
      ) : null}
      {data && data.exists ? (
        <>
          <Facts
            rows={[
              ['Index', <code key="i">{data.index}</code>, 'index-name'],
              ['Documents', formatCount(data.docCount), 'index-doc-count'],
              ['Analysis (zh)', describeLanguage(data.analysis.zh), 'index-analysis-zh'],
              ['Analysis (en)', describeLanguage(data.analysis.en), 'index-analysis-en'],
              ...(data.analysis.notes.length > 0
                ? [
                    [
                      'Analysis fallback',
                      data.analysis.notes.join('; '),
                      'index-analysis-notes',
                    ] satisfies [string, string, string],
                  ]
                : []),
              [
                'Keyword normalizer',
                data.analysis.keywordNormalizer ??
                  (data.analysis.source === 'meta' ? 'none (case-sensitive)' : '—'),
              ],
              [
                'Text embedding',
                data.textEmbedding.dims
                  ? `${data.textEmbedding.model ?? 'model not recorded'} · ${data.textEmbedding.dims}-d`
                  : 'none in mapping',
                'index-embedding',
              ],
            ]}
          />
          {data.translation?.notice ? (
            <p className="note" role="status" data-testid="translation-notice">
              {data.translation.notice}
            </p>
          ) : null}
          {data.tenants.length === 0 ? (
            <EmptyState title="The index has no documents" testId="index-empty" />
          ) : (
            <table className="table" data-testid="tenant-table">
              <caption>Documents per tenant</caption>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col" className="num">
                    Documents
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.tenants.map((t) => (
                  <tr key={t.tenantId} data-testid={`tenant-row-${t.tenantId}`}>
                    <td>{t.tenantId}</td>
                    <td className="num">{formatCount(t.docCount)}</td>
                  </tr>
                ))}
                {data.tenantsTruncated ? (
                  <tr>
                    <td className="muted" colSpan={2}>
                      More tenants exist than are listed.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </Card>
  );
}

function AppCard() {
  const system = useStatus((s) => s.system);
  const data = dataOf(system);
  if (system.state === 'error')
    return <ErrorBanner error={system.error} title="Could not reach the workbench engine" />;
  return (
    <Card title="Workbench" testId="card-app">
      {data ? (
        <>
          {data.mode === 'browser' ? (
            <p className="note" data-testid="browser-mode-note">
              Running in browser mode: the engine runs in <code>rwb ui</code> on this machine and
              this page talks to it over HTTP. Every screen works the same as in the desktop app.
            </p>
          ) : null}
          <Facts
            rows={[
              ['Version', data.appVersion],
              [
                'Mode',
                data.mode === 'electron'
                  ? 'Desktop (Electron)'
                  : data.mode === 'browser'
                    ? 'Browser'
                    : data.mode,
                'app-mode-fact',
              ],
              ['Profile', data.profile],
              ['Data directory', <code key="h">{data.rwbHome}</code>],
              [
                'Runtime',
                `Node ${data.runtime.node} · ${data.runtime.platform}/${data.runtime.arch} · ${data.runtime.cpus} CPUs`,
              ],
              ['Running jobs', formatCount(data.runningJobs)],
            ]}
          />
        </>
      ) : (
        <Loading label="Loading…" />
      )}
    </Card>
  );
}

export function ConnectionsScreen() {
  return (
    <div className="grid two" data-testid="connections-screen">
      <EsCard />
      <IndexCard />
      <LocalNodeCard />
      <ModelsCard />
      <SecretsCard />
      <AppCard />
    </div>
  );
}
