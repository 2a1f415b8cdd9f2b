/** The app's store instances and their React hooks, bound to the app's API client. */
import { useStore } from 'zustand';
import { getApiClient } from '../api/index.ts';
import { createStatusStore, type StatusState } from './status.ts';
import { createSearchStore, type SearchState } from './search.ts';
import { createIngestStore, type IngestState } from './ingest.ts';
import { createConfigStore, type ConfigState } from './config.ts';
import { createTuneStore, type TuneState } from './tune.ts';
import { createCompareStore, type CompareState } from './compare.ts';
import { createCompareSetStore, type CompareSetState } from './compare-set.ts';
import { createExportStore, type ExportState } from './export.ts';
import { createConnectionsStore, type ConnectionsState } from './connections.ts';
import { createJudgmentsStore, withRating, type JudgmentsState } from './judgments.ts';
import { createJudgeQueueStore, type JudgeQueueState } from './judge-queue.ts';
import { createAutoTuneStore, type AutoTuneState } from './autotune.ts';
import { createExperimentsStore, type ExperimentsState } from './experiments.ts';
import { createExplainMissingStore, type ExplainMissingState } from './explain-missing.ts';

const client = getApiClient();
export const statusStore = createStatusStore(client);
export const searchStore = createSearchStore(client);
export const ingestStore = createIngestStore(client);
export const configStore = createConfigStore(client);
export const tuneStore = createTuneStore(client);
export const compareStore = createCompareStore(client);
// A re-loaded bundle replaces the working config every screen reads.
export const exportStore = createExportStore(client, (imported) =>
  configStore.setState({ working: { state: 'ready', data: imported.working } }),
);

export function useStatus<T>(selector: (state: StatusState) => T): T {
  return useStore(statusStore, selector);
}
export function useSearch<T>(selector: (state: SearchState) => T): T {
  return useStore(searchStore, selector);
}
export function useIngest<T>(selector: (state: IngestState) => T): T {
  return useStore(ingestStore, selector);
}
export function useConfig<T>(selector: (state: ConfigState) => T): T {
  return useStore(configStore, selector);
}
export function useTune<T>(selector: (state: TuneState) => T): T {
  return useStore(tuneStore, selector);
}
export function useCompare<T>(selector: (state: CompareState) => T): T {
  return useStore(compareStore, selector);
}
export function useExport<T>(selector: (state: ExportState) => T): T {
  return useStore(exportStore, selector);
}
export const judgmentsStore = createJudgmentsStore(client);
export function useJudgments<T>(selector: (state: JudgmentsState) => T): T {
  return useStore(judgmentsStore, selector);
}
// A rating from the "judge what matters" queue updates the open set and its coverage.
export const judgeQueueStore = createJudgeQueueStore(client, (querySetId, query, answer) => {
  const judgments = judgmentsStore.getState();
  if (judgments.selectedId !== querySetId) return;
  const detail = judgments.detail.state === 'ready' ? judgments.detail.data : null;
  if (detail)
    judgmentsStore.setState({
      detail: { state: 'ready', data: withRating(detail, query, answer) },
    });
  void judgments.loadCoverage();
});
export function useJudgeQueue<T>(selector: (state: JudgeQueueState) => T): T {
  return useStore(judgeQueueStore, selector);
}
// An accepted tuning result becomes the working config; the sliders start from it.
export const autoTuneStore = createAutoTuneStore(client, (revisionId) =>
  configStore.getState().checkout(revisionId),
);
export function useAutoTune<T>(selector: (state: AutoTuneState) => T): T {
  return useStore(autoTuneStore, selector);
}
export const experimentsStore = createExperimentsStore(client);
export function useExperiments<T>(selector: (state: ExperimentsState) => T): T {
  return useStore(experimentsStore, selector);
}
export const compareSetStore = createCompareSetStore(client);
export function useCompareSet<T>(selector: (state: CompareSetState) => T): T {
  return useStore(compareSetStore, selector);
}
export const connectionsStore = createConnectionsStore(
  client,
  () => void statusStore.getState().refresh(),
);
export function useConnections<T>(selector: (state: ConnectionsState) => T): T {
  return useStore(connectionsStore, selector);
}
export { useNavigation, followHashChanges, type ScreenId } from './navigation.ts';
// "Why is this product missing": one per screen, so Search and Compare keep their own product.
export const missingStores = {
  search: createExplainMissingStore(client),
  compare: createExplainMissingStore(client),
} as const;
export type MissingScreen = keyof typeof missingStores;
export function useMissing<T>(
  screen: MissingScreen,
  selector: (state: ExplainMissingState) => T,
): T {
  return useStore(missingStores[screen], selector);
}
