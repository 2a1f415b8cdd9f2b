/** Which screen is open, mirrored in location.hash so reload and the back button work. */
import { create } from 'zustand';

export const SCREEN_IDS = [
  'connections',
  'ingest',
  'search',
  'compare',
  'tune',
  'judgments',
  'experiments',
  'export',
] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];
export const DEFAULT_SCREEN: ScreenId = 'connections';

export function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (SCREEN_IDS as readonly string[]).includes(id) ? (id as ScreenId) : DEFAULT_SCREEN;
}

interface NavigationState {
  screen: ScreenId;
  go(screen: ScreenId): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  screen: typeof window === 'undefined' ? DEFAULT_SCREEN : screenFromHash(window.location.hash),
  go(screen) {
    if (typeof window !== 'undefined' && screenFromHash(window.location.hash) !== screen)
      window.location.hash = `#/${screen}`;
    set({ screen });
  },
}));

/** Keeps the store in step with hash changes made outside go() (back/forward, typed URLs). */
export function followHashChanges(): () => void {
  const onChange = () => useNavigation.setState({ screen: screenFromHash(window.location.hash) });
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}
