/** The CLI's output gate (control characters escaped) and its mapping of unreadable input files. */
import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { asInputFileError } from '../../engine/cli/main.ts';
import { escapeControlChars, guardOutput, terminalStream } from '../../engine/cli/terminal.ts';

/** A stand-in for process.stdout that records what reaches the "terminal". */
function fakeStream(): NodeJS.WriteStream & { written: string[] } {
  const written: string[] = [];
  const stream = {
    written,
    isTTY: true,
    columns: 80,
    write(chunk: string | Uint8Array) {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { written: string[] };
}

describe('escapeControlChars', () => {
  it('spells out C0, DEL, C1 and bidi controls, keeps newlines, tabs and other text', () => {
    expect(escapeControlChars('a\x1b]0;pwned\x07b\x1b[31mc')).toBe(
      'a\\u001B]0;pwned\\u0007b\\u001B[31mc',
    );
    expect(escapeControlChars('x\x7fy\u009bz\u202ew\u2066\r')).toBe(
      'x\\u007Fy\\u009Bz\\u202Ew\\u2066\\u000D',
    );
    expect(escapeControlChars('蓝牙耳机\tline\nnext – ok')).toBe('蓝牙耳机\tline\nnext – ok');
  });

  it('keeps JSON valid and lossless: the escapes decode back to the original string', () => {
    const value = { q: 'a\x1b[31m\u009b\u202e\x7f\\\x7f"' };
    const printed = escapeControlChars(JSON.stringify(value));
    // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
    expect(printed).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(JSON.parse(printed)).toEqual(value);
  });
});

describe('guardOutput', () => {
  it('escapes what is written while guarded, lets progress bars draw, and restores the stream', () => {
    const stream = fakeStream();
    const original = stream.write;
    const unguard = guardOutput([stream]);
    stream.write('title \x1b]0;pwned\x07\n');
    stream.write(Buffer.from('row \x1b[2J\n'));
    terminalStream(stream).write('\r50%\x1b[K');
    expect(terminalStream(stream).isTTY).toBe(true);
    unguard();
    expect(stream.write).toBe(original);
    expect(stream.written).toEqual([
      'title \\u001B]0;pwned\\u0007\n',
      'row \\u001B[2J\n',
      '\r50%\x1b[K',
    ]);
    expect(terminalStream(stream)).toBe(stream);
  });
});

describe('asInputFileError', () => {
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'in/j.csv'"), {
    code: 'ENOENT',
    path: 'in/j.csv',
  });

  it('makes a file the user named INVALID_INPUT, naming the path', () => {
    const notFound = new RwbError('NOT_FOUND', 'Search config in/c.yaml does not exist', {
      path: 'in/c.yaml',
    });
    const mapped = asInputFileError(notFound, ['eval', '--config', 'in/c.yaml']);
    expect(mapped.code).toBe('INVALID_INPUT');
    expect(mapped.message).toContain('in/c.yaml');

    const raw = asInputFileError(
      new RwbError('INTERNAL', enoent.message, undefined, { cause: enoent }),
      ['judgments', 'import', '--queries=in/j.csv'],
    );
    expect(raw).toMatchObject({ code: 'INVALID_INPUT' });
    expect(raw.message).toContain('in/j.csv');
  });

  it('leaves other failures alone: paths the user did not give, other codes, non-file errors', () => {
    const inHome = new RwbError('NOT_FOUND', 'no run "run-1" in /home/u/.rwb/experiments/runs');
    expect(asInputFileError(inHome, ['experiments', 'show', 'run-1']).code).toBe('NOT_FOUND');
    const internal = new RwbError('INTERNAL', 'boom in x.csv', undefined, {
      cause: new Error('boom'),
    });
    expect(asInputFileError(internal, ['x.csv']).code).toBe('INTERNAL');
    const es = new RwbError('ES_UNREACHABLE', 'in/j.csv');
    expect(asInputFileError(es, ['in/j.csv']).code).toBe('ES_UNREACHABLE');
  });
});
