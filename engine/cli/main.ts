import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { RwbError, toRwbError } from '../errors.ts';
import { redactSecrets } from '../net/redact.ts';
import { EXIT } from './exit-codes.ts';
import { guardOutput } from './terminal.ts';
import { registerEsCommands } from './commands/es.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerEmbedCommands } from './commands/embed.ts';
import { registerIngestCommands } from './commands/ingest.ts';
import { registerAppCommands } from './commands/app.ts';
import { registerDemoCommands } from './commands/demo.ts';
import { registerSearchCommands } from './commands/search.ts';
import { registerExplainMissingCommand } from './commands/explain-missing.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerEvalCommands } from './commands/eval.ts';

export function buildProgram(): Command {
  const program = new Command('rwb')
    .description('Relevance Workbench: ingest, search, evaluate and tune e-commerce relevance on Elasticsearch')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerEsCommands(program);
  registerDbCommands(program);
  registerEmbedCommands(program);
  registerIngestCommands(program);
  registerAppCommands(program);
  registerDemoCommands(program);
  registerSearchCommands(program);
  registerExplainMissingCommand(program);
  registerServeCommands(program);
  registerEvalCommands(program);
  return program;
}

/** Runs the CLI and returns the process exit code (see exit-codes.ts). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Everything printed from here on is escaped for the terminal (see terminal.ts).
  const unguard = guardOutput();
  try {
    await program.parseAsync(argv);
    // A command may set process.exitCode (e.g. PARTIAL after skipped rows, UNAVAILABLE from `es status`).
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const e = asInputFileError(toRwbError(err), argv.slice(2));
    process.stderr.write(`error [${e.code}]: ${e.message}\n`);
    if (e.details !== undefined && process.env.RWB_DEBUG) process.stderr.write(`${JSON.stringify(e.details, null, 2)}\n`);
    // A driver's stack may quote what it was given (a URL with its password): redact it too.
    if (process.env.RWB_DEBUG && e.cause instanceof Error) process.stderr.write(`${redactSecrets(e.cause.stack ?? '')}\n`);
    return exitCodeFor(e);
  } finally {
    unguard();
  }
}

/** Why a file could not be read, in words (Node's own message repeats the syscall and path). */
const FILE_ERRNO: ReadonlyMap<string, string> = new Map([
  ['ENOENT', 'no such file or directory'],
  ['EISDIR', 'is a directory, not a file'],
  ['ENOTDIR', 'a part of the path is not a directory'],
  ['EACCES', 'permission denied'],
]);

/**
 * A file the user named on the command line that cannot be read is bad input (exit 2), whatever
 * layer noticed it: the engine says NOT_FOUND (its HTTP callers want 404) or lets an fs error through.
 * Recognised by the path: it must be one the user gave, so a missing file inside RWB_HOME stays a
 * failure (exit 1).
 */
export function asInputFileError(e: RwbError, args: readonly string[]): RwbError {
  if (e.code !== 'NOT_FOUND' && e.code !== 'INTERNAL') return e;
  const cause = e.cause as NodeJS.ErrnoException | undefined;
  const errno = typeof cause?.code === 'string' ? cause.code : undefined;
  if (e.code === 'INTERNAL' && (errno === undefined || !FILE_ERRNO.has(errno))) return e;
  const given = args
    .flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(a.indexOf('=') + 1)] : [a]))
    .filter((a) => !a.startsWith('-') && /[/\\.]/.test(a));
  const details = (e.details ?? {}) as Record<string, unknown>;
  const named = [details.path, details.file, cause?.path].filter((p): p is string => typeof p === 'string');
  const file = given.find(
    (a) =>
      named.some((p) => path.resolve(p) === path.resolve(a)) ||
      e.message.includes(a) ||
      e.message.includes(path.resolve(a)),
  );
  if (file === undefined) return e;
  const why = (errno && FILE_ERRNO.get(errno)) ?? FILE_ERRNO.get('ENOENT')!;
  const message = e.message.includes(file) ? e.message : `cannot read ${file}: ${why}`;
  return new RwbError('INVALID_INPUT', message, { path: file }, { cause: e });
}

function exitCodeFor(e: RwbError): number {
  switch (e.code) {
    case 'INVALID_INPUT':
    case 'INVALID_CONFIG':
    case 'PARSE_ERROR':
      return EXIT.USAGE;
    case 'ES_UNREACHABLE':
    case 'ES_ERROR':
    case 'ES_RUNTIME':
    case 'JAVA_MISSING':
    case 'MYSQL_ERROR':
    case 'DOWNLOAD_FAILED':
    case 'STORE_BUSY':
      return EXIT.UNAVAILABLE;
    case 'CANCELLED':
      return EXIT.CANCELLED;
    case 'BAD_ROW':
      return EXIT.PARTIAL;
    default:
      return EXIT.FAILURE;
  }
}
