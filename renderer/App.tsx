import { lazy, Suspense, useEffect } from 'react';
import { SCREENS, screenInfo } from './screens/registry.ts';
import { ComingSoonScreen } from './screens/ComingSoonScreen.tsx';
import { ConnectionsScreen } from './screens/ConnectionsScreen.tsx';
import { IngestScreen } from './screens/IngestScreen.tsx';
import { SearchScreen } from './screens/SearchScreen.tsx';
import { Loading } from './components/StateViews.tsx';
import { HealthBadge, type Health } from './components/HealthBadge.tsx';
import {
  followHashChanges,
  ingestStore,
  statusStore,
  useNavigation,
  useStatus,
  type ScreenId,
} from './state/stores.ts';

// The analyst's screens load on first visit: charts (recharts) stay out of the first download.
const TuneScreen = lazy(() =>
  import('./screens/TuneScreen.tsx').then((m) => ({ default: m.TuneScreen })),
);
const CompareScreen = lazy(() =>
  import('./screens/CompareScreen.tsx').then((m) => ({ default: m.CompareScreen })),
);
const ExportScreen = lazy(() =>
  import('./screens/ExportScreen.tsx').then((m) => ({ default: m.ExportScreen })),
);
const JudgmentsScreen = lazy(() =>
  import('./screens/JudgmentsScreen.tsx').then((m) => ({ default: m.JudgmentsScreen })),
);
const ExperimentsScreen = lazy(() =>
  import('./screens/ExperimentsScreen.tsx').then((m) => ({ default: m.ExperimentsScreen })),
);

function CurrentScreen({ id }: { id: ScreenId }) {
  return (
    <Suspense fallback={<Loading label="Loading the screen…" />}>
      <ScreenById id={id} />
    </Suspense>
  );
}

function ScreenById({ id }: { id: ScreenId }) {
  switch (id) {
    case 'connections':
      return <ConnectionsScreen />;
    case 'ingest':
      return <IngestScreen />;
    case 'search':
      return <SearchScreen />;
    case 'compare':
      return <CompareScreen />;
    case 'tune':
      return <TuneScreen />;
    case 'export':
      return <ExportScreen />;
    case 'judgments':
      return <JudgmentsScreen />;
    case 'experiments':
      return <ExperimentsScreen />;
    default:
      return <ComingSoonScreen screen={screenInfo(id)} />;
  }
}

function useEsHealth(): Health {
  return useStatus((s) => {
    if (s.es.state === 'ready')
      return s.es.data.reachable ? (s.es.data.health ?? 'unknown') : 'unreachable';
    if (s.es.state === 'error') return 'unreachable';
    return 'unknown';
  });
}

export function App() {
  const screen = useNavigation((s) => s.screen);
  const go = useNavigation((s) => s.go);
  const mode = useStatus((s) => (s.system.state === 'ready' ? s.system.data.mode : null));
  const ready = useStatus((s) => s.system.state === 'ready' || s.system.state === 'error');
  const health = useEsHealth();
  const info = screenInfo(screen);

  useEffect(() => followHashChanges(), []);
  useEffect(() => {
    void statusStore.getState().refresh();
    void ingestStore.getState().init();
  }, []);

  return (
    <div className="shell" data-testid="app-shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            RW
          </span>
          <span className="brand-name">Relevance Workbench</span>
        </div>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.id}>
                <a
                  href={`#/${s.id}`}
                  className={`nav-link ${s.id === screen ? 'active' : ''}`}
                  aria-current={s.id === screen ? 'page' : undefined}
                  data-testid={`nav-${s.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go(s.id);
                  }}
                >
                  <span>{s.label}</span>
                  {s.available ? null : <span className="nav-tag">soon</span>}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="sidebar-row">
            <span>Elasticsearch</span>
            <HealthBadge health={health} testId="sidebar-es-health" />
          </div>
          <div className="sidebar-row muted" data-testid="app-mode">
            {mode === 'electron'
              ? 'Desktop app'
              : mode === 'browser'
                ? 'Browser mode'
                : mode
                  ? `Mode: ${mode}`
                  : ''}
          </div>
        </div>
      </aside>
      <main className="content" aria-labelledby="screen-title">
        <header className="screen-header">
          <h1 id="screen-title">{info.label}</h1>
          <p className="muted">{info.summary}</p>
        </header>
        <div className="screen-body" data-testid={`screen-${screen}`}>
          <CurrentScreen id={screen} />
        </div>
      </main>
      {ready ? <span data-testid="app-ready" hidden /> : null}
    </div>
  );
}
