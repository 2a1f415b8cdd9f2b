import type { ApiError } from '../api/errors.ts';

/** A value a screen loads: what it shows in its loading, empty, error and ready states. */
export type Loadable<T> =
  | { state: 'idle' }
  | { state: 'loading'; previous: T | null }
  | { state: 'ready'; data: T }
  | { state: 'error'; error: ApiError; previous: T | null };

export const idle = { state: 'idle' } as const;

export function dataOf<T>(value: Loadable<T>): T | null {
  switch (value.state) {
    case 'ready':
      return value.data;
    case 'loading':
    case 'error':
      return value.previous;
    default:
      return null;
  }
}
