/** The app's store instances and their React hooks, bound to the app's API client. */
import { useStore } from 'zustand';
import { getApiClient } from '../api/index.ts';
import { createStatusStore, type StatusState } from './status.ts';
import { createSearchStore, type SearchState } from './search.ts';
import { createIngestStore, type IngestState } from './ingest.ts';
import { createConfigStore, type ConfigState } from './config.ts';

const client = getApiClient();
export const statusStore = createStatusStore(client);
export const searchStore = createSearchStore(client);
export const ingestStore = createIngestStore(client);
export const configStore = createConfigStore(client);

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
export { useNavigation, followHashChanges, type ScreenId } from './navigation.ts';
