import type { ScreenId } from '../state/navigation.ts';

export interface ScreenInfo {
  id: ScreenId;
  label: string;
  /** One line under the title. */
  summary: string;
  /** False: the screen shows its "coming in a later release" state. */
  available: boolean;
  /** What the screen will do, for the coming-soon state (from the product plan). */
  plan?: string[];
}

export const SCREENS: readonly ScreenInfo[] = [
  {
    id: 'connections',
    label: 'Connections',
    summary: 'Elasticsearch, index and models at a glance',
    available: true,
  },
  {
    id: 'ingest',
    label: 'Ingest',
    summary: 'Load products from MySQL or a file into the index',
    available: true,
  },
  {
    id: 'search',
    label: 'Search',
    summary: 'The full query engine with the working config: facets, filters, explain',
    available: true,
  },
  {
    id: 'compare',
    label: 'Compare',
    summary: 'Two to four configs side by side, for one query and over a query set',
    available: true,
    plan: [
      'Rank-change arrows, new and dropped markers, Jaccard and RBO per query',
      'Latency and facet-count differences per config',
      'Per-query metric deltas over a whole query set, with wins, losses and significance',
    ],
  },
  {
    id: 'tune',
    label: 'Tune',
    summary: 'Boost sliders with live results and the query-set metric; the auto-tuner',
    available: true,
    plan: [
      'A slider for every field, domain, kNN and function weight',
      'Live results and the mean metric over the query set as you slide',
      'An auto-tuner with a live trial chart; accept the winner as a new revision',
    ],
  },
  {
    id: 'judgments',
    label: 'Judgments',
    summary: 'Rate results 0–3 with the keyboard; query sets with coverage; import and export',
    available: true,
    plan: [
      'Inline 0–3 ratings with keyboard shortcuts',
      'Query sets with coverage (rated and unrated at k)',
      'Import and export of judgments',
    ],
  },
  {
    id: 'experiments',
    label: 'Experiments',
    summary: 'Config revisions, runs and the metric over time; diff two revisions',
    available: true,
    plan: [
      'History of config revisions and evaluation runs',
      'Metric over time with notes',
      'Diff of two revisions: config and metrics',
    ],
  },
  {
    id: 'export',
    label: 'Export',
    summary: 'The versioned bundle production loads: config, mapping, search template, models',
    available: true,
    plan: [
      'SearchConfig, mapping, ES search template and model ids as JSON or YAML',
      'A diff against the last export',
      'A copyable `rwb serve` command',
    ],
  },
];

export function screenInfo(id: ScreenId): ScreenInfo {
  return SCREENS.find((s) => s.id === id) ?? SCREENS[0]!;
}
