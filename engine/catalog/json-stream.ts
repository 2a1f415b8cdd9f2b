/**
 * Streaming readers for large JSON inputs: NDJSON line by line, and a top-level JSON array element
 * by element (so a many-megabyte array file is never parsed as one value). Both report the line on
 * which each record starts, for row errors like "products.ndjson:123".
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RwbError } from '../errors.ts';
import { throwIfAborted } from './source.ts';

export interface JsonRecordText {
  /** 1-based line on which the record starts. */
  line: number;
  text: string;
}

/** Non-empty lines of a text file with their 1-based line numbers. */
export async function* readNdjsonLines(
  file: string,
  signal?: AbortSignal,
): AsyncGenerator<JsonRecordText> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (line % 1000 === 0) throwIfAborted(signal, `Reading ${file}`);
      if (text.trim() === '') continue;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * The elements of a top-level JSON array, as raw text, without parsing the whole file. The split
 * follows strings, escapes and bracket depth; each element is then parsed on its own by the caller,
 * so one malformed element is one bad record. Throws PARSE_ERROR when the file is not an array.
 * An unterminated array yields what was complete and then reports `onTruncated`.
 */
export async function* readJsonArrayElements(
  file: string,
  opts: { signal?: AbortSignal; onTruncated?: (line: number) => void; chunkBytes?: number } = {},
): AsyncGenerator<JsonRecordText> {
  const input = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: opts.chunkBytes ?? 256 * 1024,
  });
  let started = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let element = '';
  let elementLine = 0;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      throwIfAborted(opts.signal, `Reading ${file}`);
      // An element that began in an earlier chunk continues from this chunk's first character.
      let sliceStart = element !== '' ? 0 : -1;
      for (let i = 0; i < chunk.length; i += 1) {
        const ch = chunk[i]!;
        if (ch === '\n') line += 1;
        if (ended) {
          if (!/\s/.test(ch))
            throw new RwbError(
              'PARSE_ERROR',
              `${file}:${line}: unexpected content after the JSON array.`,
            );
          continue;
        }
        if (!started) {
          if (ch === '[') started = true;
          else if (!/\s|\uFEFF/.test(ch)) {
            throw new RwbError(
              'PARSE_ERROR',
              `${file}:${line}: expected a JSON array ("[") but found "${ch}".`,
            );
          }
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        const atElementLevel = depth === 0;
        if (atElementLevel && (ch === ',' || ch === ']')) {
          if (sliceStart >= 0) element += chunk.slice(sliceStart, i);
          sliceStart = -1;
          if (element.trim() !== '') yield { line: elementLine, text: element };
          element = '';
          if (ch === ']') ended = true;
          continue;
        }
        if (atElementLevel && sliceStart < 0 && element === '') {
          if (/\s/.test(ch)) continue;
          elementLine = line;
        }
        if (sliceStart < 0) sliceStart = i;
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth += 1;
        else if (ch === '}' || ch === ']') depth -= 1;
      }
      if (sliceStart >= 0) element += chunk.slice(sliceStart);
    }
    if (!started) throw new RwbError('PARSE_ERROR', `${file}: empty file, expected a JSON array.`);
    if (!ended) opts.onTruncated?.(element.trim() ? elementLine : line);
  } finally {
    input.destroy();
  }
}
