/**
 * `rwb judgments import|export|list`: query sets with graded ratings in the local store, read from
 * and written to CSV (query,docid,rating), RRE JSON and TREC qrels.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { detectJudgmentFormat, writeJudgmentsFile } from '../../eval/judgments-io.ts';
import { parseQueryIdMap } from '../../eval/judgments-trec.ts';
import { importIntoStore, loadQuerySetById } from '../../eval/runner-query-sets.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFlag, printJson, querySetStore, readInputFile, writeIssues } from './eval-shared.ts';
import { formatTable } from './eval-tables.ts';

interface ImportFlags {
  name?: string;
  tenant?: string;
  index?: string;
  format?: string;
  queries?: string;
  overwrite?: boolean;
  merge?: boolean;
  json?: boolean;
}

export function registerJudgmentsCommands(program: Command): void {
  const judgments = program
    .command('judgments')
    .description('Query sets with graded ratings (default scale 0–3), kept in the local store');

  judgments
    .command('import <file>')
    .description(
      'Import a judgments file (CSV query,docid,rating · RRE JSON · TREC qrels) into the store',
    )
    .option('--name <name>', 'query set name (default: the file name)')
    .option('--tenant <id>', 'tenant the query set belongs to')
    .option('--index <name>', 'index the query set belongs to')
    .option('--format <format>', 'csv, rre or trec (default: from the extension or content)')
    .option('--queries <file>', 'TREC only: qid<TAB>query text file')
    .option('--overwrite', 'replace a stored set with the same tenant, index and name')
    .option('--merge', 'add the ratings to a stored set with the same tenant, index and name')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: ImportFlags) => {
      const text = await readInputFile(file, 'judgments file');
      const format = formatFlag(flags.format) ?? detectJudgmentFormat(file, text);
      const queryTexts = flags.queries
        ? parseQueryIdMap(await readInputFile(flags.queries, 'query map')).queries
        : undefined;
      const result = await importIntoStore(querySetStore(), {
        text,
        format,
        name: flags.name ?? path.basename(file, path.extname(file)),
        ...(flags.tenant !== undefined && { tenant: flags.tenant }),
        ...(flags.index !== undefined && { index: flags.index }),
        ...(flags.overwrite && { overwrite: true }),
        ...(flags.merge && { merge: true }),
        ...(queryTexts && { queryTexts }),
      });
      if (flags.json) printJson(result);
      else {
        writeIssues(result.issues);
        process.stdout.write(
          `Imported ${result.info.queries} queries, ${result.info.ratings} ratings (${format}) as ${result.info.id}\n` +
            `${result.stats.rowsRejected} row(s) rejected, ${result.stats.duplicates} duplicate(s) · ${result.info.file}\n`,
        );
      }
      if (result.stats.rowsRejected > 0) process.exitCode = EXIT.PARTIAL;
    });

  judgments
    .command('export <id> <file>')
    .description('Write a stored query set to a file (format from the extension, or --format)')
    .option('--format <format>', 'csv, rre or trec')
    .action(async (id: string, file: string, flags: { format?: string }) => {
      const { querySet } = await loadQuerySetById(querySetStore(), id);
      const format = formatFlag(flags.format);
      const written = await writeJudgmentsFile(querySet, file, format ? { format } : {});
      process.stdout.write(`Wrote ${written.format}: ${written.files.join(', ')}\n`);
      if (written.skipped.length > 0) {
        process.stderr.write(
          `${written.skipped.length} rating(s) the format cannot hold were left out\n`,
        );
      }
    });

  judgments
    .command('list')
    .description('List the stored query sets')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { sets, problems } = await querySetStore().list();
      if (flags.json) return printJson({ sets, problems });
      if (sets.length === 0)
        process.stdout.write('No query sets stored yet (rwb judgments import <file>)\n');
      else {
        const rows = sets.map((s) => [
          s.id,
          s.name,
          s.tenant ?? '',
          s.index ?? '',
          String(s.queries),
          String(s.ratings),
          s.updatedAt,
        ]);
        process.stdout.write(
          `${formatTable(['id', 'name', 'tenant', 'index', 'queries', 'ratings', 'updated'], rows, ['left', 'left', 'left', 'left'])}\n`,
        );
      }
      for (const p of problems) process.stderr.write(`unreadable: ${p.file}: ${p.message}\n`);
    });
}
