/** Compare over a whole query set (eval.run + eval.compare): wired once those operations exist. */
export function CompareQuerySet() {
  return null;
}
