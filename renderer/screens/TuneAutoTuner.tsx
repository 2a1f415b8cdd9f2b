/** The auto-tuner panel (tune.start as a job with a live trial chart). */
export function AutoTuner() {
  return null;
}
