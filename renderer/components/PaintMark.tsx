/**
 * Records, right before the browser paints a live answer, how long it took since the slider input
 * it reflects: `performance.measure(name)` entries the slider benchmark reads. Renders nothing.
 */
import { useLayoutEffect } from 'react';

export function PaintMark({
  name,
  inputAt,
  token,
}: {
  name: string;
  inputAt: number | null;
  token: unknown;
}) {
  useLayoutEffect(() => {
    if (
      inputAt === null ||
      typeof performance === 'undefined' ||
      typeof requestAnimationFrame === 'undefined'
    )
      return;
    const frame = requestAnimationFrame(() => {
      try {
        performance.measure(name, { start: inputAt, end: performance.now() });
      } catch {
        // measure() with options needs a modern engine; the bench runs in one, the app does not care.
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [name, inputAt, token]);
  return null;
}
