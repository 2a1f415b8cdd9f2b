/**
 * Judgment files by format: pick the format from the file name (or content), import or export,
 * read and write files. What the CLI (`rwb judgments import|export`) and the app call.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { exportCsvJudgments, importCsvJudgments, type CsvImportOptions } from './judgments-csv.ts';
import { exportRreJudgments, importRreJudgments } from './judgments-rre.ts';
import { exportTrecJudgments, importTrecJudgments, parseQueryIdMap } from './judgments-trec.ts';
import type { JudgmentImport, JudgmentIssue, QuerySet } from './judgments.ts';

export const JUDGMENT_FORMATS = ['csv', 'rre', 'trec'] as const;
export type JudgmentFormat = (typeof JUDGMENT_FORMATS)[number];

/** By extension (.csv, .json, .qrels/.trec/.txt), else by a look at the content. */
export function detectJudgmentFormat(fileName: string, text?: string): JudgmentFormat {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'rre';
  if (ext === '.qrels' || ext === '.trec') return 'trec';
  const sample = (text ?? '').trimStart();
  if (sample.startsWith('{')) return 'rre';
  const firstLine = sample.split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.includes(',') && /^\S+\s+\S+\s+\S+\s+[+-]?\d/.test(firstLine)) return 'trec';
  return 'csv';
}

export interface ImportJudgmentsOptions extends CsvImportOptions {
  /** TREC only: qid → query text. */
  queryTexts?: ReadonlyMap<string, string>;
}

export function importJudgments(
  text: string,
  format: JudgmentFormat,
  options: ImportJudgmentsOptions = {},
): JudgmentImport {
  // A UTF-8 byte-order mark would otherwise end up in the first query id or break JSON.parse.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  switch (format) {
    case 'csv':
      return importCsvJudgments(body, options);
    case 'rre':
      return importRreJudgments(body, options);
    case 'trec':
      return importTrecJudgments(body, options);
  }
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT';
    throw new RwbError(
      code,
      `cannot read ${what} ${file}: ${(err as Error).message}`,
      { file },
      { cause: err },
    );
  }
}

export interface ReadJudgmentsOptions extends ImportJudgmentsOptions {
  format?: JudgmentFormat;
  /** TREC only: a `qid<TAB>text` file naming the queries. */
  queriesFile?: string;
}

/** Reads and imports a judgments file; the query set is named after the file unless `name` is given. */
export async function readJudgmentsFile(
  file: string,
  options: ReadJudgmentsOptions = {},
): Promise<JudgmentImport & { format: JudgmentFormat }> {
  const text = await readText(file, 'judgments file');
  const format = options.format ?? detectJudgmentFormat(file, text);
  let queryTexts = options.queryTexts;
  let mapIssues: JudgmentIssue[] = [];
  if (options.queriesFile !== undefined) {
    const parsed = parseQueryIdMap(await readText(options.queriesFile, 'query map'));
    queryTexts = parsed.queries;
    mapIssues = parsed.issues.map((i) => ({
      ...i,
      message: `${path.basename(options.queriesFile ?? '')} ${i.message}`,
    }));
  }
  const name = options.name ?? path.basename(file, path.extname(file));
  const result = importJudgments(text, format, {
    ...options,
    name,
    ...(queryTexts && { queryTexts }),
  });
  return { ...result, issues: [...mapIssues, ...result.issues], format };
}

export interface ExportedJudgments {
  /** The judgments file itself. */
  readonly content: string;
  /** TREC only: the `qid<TAB>text` query map that goes with the qrels. */
  readonly queries?: string;
  /** Ratings the format could not hold. */
  readonly skipped: ReadonlyArray<{ query: string; docId: string }>;
}

export function exportJudgments(querySet: QuerySet, format: JudgmentFormat): ExportedJudgments {
  switch (format) {
    case 'csv':
      return { content: exportCsvJudgments(querySet), skipped: [] };
    case 'rre':
      return { content: exportRreJudgments(querySet), skipped: [] };
    case 'trec': {
      const trec = exportTrecJudgments(querySet);
      return { content: trec.qrels, queries: trec.queries, skipped: trec.skipped };
    }
  }
}

/**
 * Writes the judgments to `file` (format from its extension unless given). For TREC the query
 * map goes to `<file>.queries.tsv` unless `queriesFile` names another place. Returns what was written.
 */
export async function writeJudgmentsFile(
  querySet: QuerySet,
  file: string,
  options: { format?: JudgmentFormat; queriesFile?: string } = {},
): Promise<{ format: JudgmentFormat; files: string[]; skipped: ExportedJudgments['skipped'] }> {
  const format = options.format ?? detectJudgmentFormat(file);
  const exported = exportJudgments(querySet, format);
  await writeFile(file, exported.content, 'utf8');
  const files = [file];
  if (exported.queries !== undefined) {
    const queriesFile = options.queriesFile ?? `${file}.queries.tsv`;
    await writeFile(queriesFile, exported.queries, 'utf8');
    files.push(queriesFile);
  }
  return { format, files, skipped: exported.skipped };
}
