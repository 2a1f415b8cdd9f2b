/**
 * "Only the newest answer matters" for calls a user fires faster than they return (typing,
 * sliding): each start aborts the call before it, and `isCurrent` tells a late answer to go away.
 */
export interface LatestOnly {
  /** Aborts the previous call and returns the signal of the new one. */
  start(): AbortSignal;
  isCurrent(signal: AbortSignal): boolean;
  cancel(): void;
}

export function latestOnly(): LatestOnly {
  let current: AbortController | null = null;
  return {
    start() {
      current?.abort();
      current = new AbortController();
      return current.signal;
    },
    isCurrent: (signal) => current?.signal === signal && !signal.aborted,
    cancel() {
      current?.abort();
      current = null;
    },
  };
}

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  cancel(): void;
  /** Runs a pending call now. */
  flush(): void;
}

/** Calls `fn` once the calls stop for `ms` (0: on the next macrotask). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  const debounced = (...args: A) => {
    pending = args;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  debounced.flush = () => {
    if (timer) clearTimeout(timer);
    run();
  };
  return debounced;
}
