/**
 * What `rwb eval`, `rwb tune`, `rwb judgments` and `rwb experiments` share: the cluster and index
 * flags, reading configs and judgments, the stores, Ctrl-C, and a progress bar that follows the
 * stages of a long run.
 */
import { readFile } from 'node:fs/promises';
import type { Client } from '@elastic/elasticsearch';
import { defaultIndexFromEnv } from '../../api/context.ts';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { loadMappingFieldCatalog } from '../../config/search-config-fields.ts';
import { loadConfigFile } from '../../config/config-file.ts';
import type { SearchConfig } from '../../config/search-config-schema.ts';
import { createEsClient } from '../../es/client.ts';
import { RwbError } from '../../errors.ts';
import {
  JUDGMENT_FORMATS,
  readJudgmentsFile,
  type JudgmentFormat,
} from '../../eval/judgments-io.ts';
import type { JudgmentIssue, QuerySet } from '../../eval/judgments.ts';
import { DEFAULT_MIN_COVERAGE } from '../../eval/metrics-unjudged.ts';
import { loadQuerySetById } from '../../eval/runner-query-sets.ts';
import { ExperimentStore } from '../../eval/store/experiment-store.ts';
import { QuerySetStore } from '../../eval/store/query-set-store.ts';
import { ProgressMeter } from '../../jobs/job.ts';
import { createProgressRenderer, type ProgressRenderer } from '../progress.ts';
import { redactUrl } from '../../net/redact.ts';
import { wholeNumberFlag } from '../flags.ts';

export const DEFAULT_EVAL_TENANT = 'icecat';

export interface ClusterFlags {
  es?: string;
  index?: string;
  tenant?: string;
}

export interface Cluster {
  client: Client;
  url: string;
  index: string;
}

export function connect(flags: ClusterFlags): Cluster {
  const env = esConnectionFromEnv();
  const url = flags.es ?? env.url;
  return {
    client: createEsClient({ ...env, url }),
    // `url` only names the cluster in messages and reports: shown without credentials.
    url: redactUrl(url),
    index: flags.index ?? defaultIndexFromEnv(),
  };
}

export function experimentStore(): ExperimentStore {
  return new ExperimentStore();
}

export function querySetStore(): QuerySetStore {
  return new QuerySetStore();
}

/**
 * Reads a text file the user named on the command line; one that is missing, a directory or
 * unreadable is bad input (exit 2), named with the flag's meaning.
 */
export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : (err as Error).message;
    throw new RwbError(
      'INVALID_INPUT',
      `cannot read ${what} ${file}: ${why}`,
      { path: file },
      { cause: err },
    );
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive whole-number flag; `name` without the dashes. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  return wholeNumberFlag(`--${name}`, value, { min: 1 });
}

export function formatFlag(value: string | undefined): JudgmentFormat | undefined {
  if (value === undefined) return undefined;
  if (!(JUDGMENT_FORMATS as readonly string[]).includes(value)) {
    throw new RwbError(
      'INVALID_INPUT',
      `--format must be one of ${JUDGMENT_FORMATS.join(', ')}, got "${value}"`,
    );
  }
  return value as JudgmentFormat;
}

/**
 * Reads a SearchConfig or a bundle (JSON or YAML); a plain config's fields are checked against the
 * index mapping, a bundle's against its own.
 */
export async function readConfig(file: string): Promise<SearchConfig> {
  const catalog = await loadMappingFieldCatalog();
  return (await loadConfigFile(file, catalog ? { knownFields: catalog } : {})).config;
}

export interface JudgmentFlags {
  judgments?: string;
  querySet?: string;
  format?: string;
  queries?: string;
}

export interface LoadedJudgments {
  querySet: QuerySet;
  /** Where it came from, for headers. */
  source: string;
  issues: readonly JudgmentIssue[];
}

/** The query set of `--judgments <file>` or `--query-set <stored id>`. */
export async function loadJudgments(flags: JudgmentFlags): Promise<LoadedJudgments> {
  if (flags.judgments && flags.querySet) {
    throw new RwbError(
      'INVALID_INPUT',
      'give either --judgments <file> or --query-set <id>, not both',
    );
  }
  if (flags.querySet) {
    const { querySet, info } = await loadQuerySetById(querySetStore(), flags.querySet);
    return { querySet, source: `stored query set ${info.id}`, issues: [] };
  }
  if (!flags.judgments) {
    throw new RwbError(
      'INVALID_INPUT',
      'give the judgments: --judgments <file> or --query-set <id>',
    );
  }
  const format = formatFlag(flags.format);
  const read = await readJudgmentsFile(flags.judgments, {
    ...(format && { format }),
    ...(flags.queries && { queriesFile: flags.queries }),
  });
  if (read.querySet.queries.length === 0) {
    throw new RwbError('INVALID_INPUT', `${flags.judgments}: no judgments could be read`, {
      issues: read.issues.slice(0, 20),
    });
  }
  return { querySet: read.querySet, source: flags.judgments, issues: read.issues };
}

/** Rows of a judgments file that were refused (warnings do not count): exit PARTIAL. */
export function hasRejectedRows(issues: readonly JudgmentIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

export function writeIssues(issues: readonly JudgmentIssue[], limit = 10): void {
  const errors = issues.filter((i) => i.severity === 'error');
  if (issues.length === 0) return;
  process.stderr.write(
    `judgments: ${errors.length} row(s) rejected, ${issues.length - errors.length} warning(s)\n`,
  );
  for (const issue of issues.slice(0, limit)) process.stderr.write(`  ${issue.message}\n`);
  if (issues.length > limit) process.stderr.write(`  … and ${issues.length - limit} more\n`);
}

/** An AbortSignal that Ctrl-C trips; `release` removes the handler. */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}

/** A progress bar per stage: a new bar (and label) whenever the stage changes. */
export function stagedProgress(labels: Record<string, string>, enabled: boolean) {
  let stage: string | null = null;
  let renderer: ProgressRenderer | null = null;
  let meter = new ProgressMeter();
  return {
    update(next: string, done: number, total: number | null, failed = 0) {
      if (!enabled) return;
      if (next !== stage) {
        renderer?.stop();
        stage = next;
        renderer = createProgressRenderer(labels[next] ?? next);
        meter = new ProgressMeter();
      }
      renderer!.update(meter.update({ total, done, failed, stage: next }));
    },
    log(line: string) {
      if (renderer) renderer.log(line);
      else if (enabled) process.stderr.write(`${line}\n`);
    },
    stop() {
      renderer?.stop();
      renderer = null;
      stage = null;
    },
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `--min-coverage`: a share of judged hits in the top k, 0–1. */
export function minCoverageFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MIN_COVERAGE;
  const share = Number(value);
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new RwbError(
      'INVALID_INPUT',
      `--min-coverage must be a share between 0 and 1, got "${value}"`,
    );
  }
  return share;
}
