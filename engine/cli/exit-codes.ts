/** Exit codes scripts can rely on (documented in README "CLI"). */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  /** Bad arguments, config or input. */
  USAGE: 2,
  /** A service (ES, MySQL, download, Java) is unavailable or failed. */
  UNAVAILABLE: 3,
  /** The work finished but some items failed (e.g. bad rows skipped during ingest). */
  PARTIAL: 4,
  /** Cancelled by the user (Ctrl-C). */
  CANCELLED: 130,
} as const;
