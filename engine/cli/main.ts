import { Command, CommanderError } from 'commander';
import { type RwbError, toRwbError } from '../errors.ts';
import { EXIT } from './exit-codes.ts';
import { registerEsCommands } from './commands/es.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerEmbedCommands } from './commands/embed.ts';
import { registerIngestCommands } from './commands/ingest.ts';
import { registerAppCommands } from './commands/app.ts';
import { registerDemoCommands } from './commands/demo.ts';
import { registerSearchCommands } from './commands/search.ts';
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
  registerServeCommands(program);
  registerEvalCommands(program);
  return program;
}

/** Runs the CLI and returns the process exit code (see exit-codes.ts). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command may set process.exitCode (e.g. PARTIAL after skipped rows, UNAVAILABLE from `es status`).
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const e = toRwbError(err);
    process.stderr.write(`error [${e.code}]: ${e.message}\n`);
    if (e.details !== undefined && process.env.RWB_DEBUG) process.stderr.write(`${JSON.stringify(e.details, null, 2)}\n`);
    if (process.env.RWB_DEBUG && e.cause instanceof Error) process.stderr.write(`${e.cause.stack}\n`);
    return exitCodeFor(e);
  }
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
      return EXIT.UNAVAILABLE;
    case 'CANCELLED':
      return EXIT.CANCELLED;
    case 'BAD_ROW':
      return EXIT.PARTIAL;
    default:
      return EXIT.FAILURE;
  }
}
