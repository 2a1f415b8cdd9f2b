/**
 * What the CLI writes goes to a terminal, and much of it echoes input: judgment rows, queries,
 * titles, file names, error messages quoting a file. A control character in that input would act
 * on the terminal (colours, a new window title, cursor moves, a bidi override that reorders what is
 * shown). So every byte the CLI prints passes one gate: `guardOutput` wraps stdout and stderr for
 * the duration of a command, and the progress bars, which draw with escape sequences on purpose,
 * write through `terminalStream` instead.
 *
 * Characters are shown as `\uXXXX`: readable in text, and inside JSON output (where
 * JSON.stringify has already escaped C0) the same spelling is a valid escape that decodes to the
 * original string, so `--json` stays lossless.
 */

// C0 except \t and \n, DEL, C1, and the bidi controls (ALM, LRM, RLM, LRE…RLO, LRI…PDI).
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControlChars(text: string): string {
  return text.replace(
    UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

type Write = NodeJS.WriteStream['write'];

/** The original write of each guarded stream. */
const rawWrites = new WeakMap<NodeJS.WriteStream, Write>();

/**
 * Makes every string (and Buffer) written to `streams` safe for a terminal; returns the function that
 * puts the original writes back. Guarding twice is a no-op.
 */
export function guardOutput(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): () => void {
  const guarded: NodeJS.WriteStream[] = [];
  for (const stream of streams) {
    if (rawWrites.has(stream)) continue;
    const raw = stream.write;
    rawWrites.set(stream, raw);
    guarded.push(stream);
    const safeWrite = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text =
        typeof chunk === 'string'
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString('utf8')
            : chunk;
      const safe = typeof text === 'string' ? escapeControlChars(text) : text;
      return (raw as (...args: unknown[]) => boolean).call(stream, safe, ...rest);
    };
    stream.write = safeWrite as Write;
  }
  return () => {
    for (const stream of guarded) {
      const raw = rawWrites.get(stream);
      if (raw) stream.write = raw;
      rawWrites.delete(stream);
    }
  };
}

/**
 * `stream` as seen by code that draws on the terminal on purpose (progress bars): writes bypass the
 * guard, everything else (isTTY, columns, events) is the stream's own. What such code prints from
 * input must go through escapeControlChars itself.
 */
export function terminalStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const raw = rawWrites.get(stream);
  if (!raw) return stream;
  const rawWrite = raw.bind(stream);
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return rawWrite;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
