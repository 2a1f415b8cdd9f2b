/**
 * `rwb eval`: score one or more configs on a query set, record the runs, and with two or more
 * configs compare each against the first.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { RwbError } from '../../errors.ts';
import { evaluateAndRecord, type EvalSessionResult } from '../../eval/runner-session.ts';
import { createEvalDependencies } from '../../eval/runner-deps.ts';
import { createQueryEmbedders } from '../../eval/runner-embedders.ts';
import { EXIT } from '../exit-codes.ts';
import {
  collect,
  connect,
  DEFAULT_EVAL_TENANT,
  experimentStore,
  interruptSignal,
  intFlag,
  minCoverageFlag,
  loadJudgments,
  hasRejectedRows,
  printJson,
  readConfig,
  stagedProgress,
  writeIssues,
  type ClusterFlags,
  type JudgmentFlags,
} from './eval-shared.ts';
import {
  formatComparison,
  formatLanguageTable,
  formatRunsTable,
  formatUnjudgedTable,
  formatVerification,
} from './eval-tables.ts';
import { metricRanges, runCoverage } from '../../eval/run-unjudged.ts';
import { DEFAULT_MIN_COVERAGE } from '../../eval/metrics-unjudged.ts';

interface EvalFlags extends ClusterFlags, JudgmentFlags {
  config: string[];
  k: string;
  metric?: string[];
  threshold?: string;
  batchSize?: string;
  json?: boolean;
  verify?: boolean;
  explain?: boolean;
  snapshot: boolean;
  note?: string;
  minCoverage?: string;
}

export function registerEvalRunCommand(program: Command): void {
  program
    .command('eval')
    .summary('evaluate configs on a query set with judgments (metrics, comparison)')
    .description(
      'Evaluate search configs on a query set with judgments (msearch in batches): per-query metrics, means, ' +
        'per-language breakdown, latency, unrated hits. With 2+ configs, each is compared with the first ' +
        '(deltas, wins/losses/ties, paired randomization test, Jaccard/RBO, facet changes). Every run is ' +
        'recorded in the experiment store (config revision, run, snapshot of the top k).',
    )
    .requiredOption(
      '--config <file>',
      'SearchConfig or exported bundle (JSON or YAML); repeat for more configs',
      collect,
      [],
    )
    .option('--judgments <file>', 'judgments file: CSV query,docid,rating · RRE JSON · TREC qrels')
    .option('--query-set <id>', 'a query set stored with `rwb judgments import` instead of a file')
    .option(
      '--format <format>',
      'judgments format (default: from the file extension): csv, rre, trec',
    )
    .option('--queries <file>', 'TREC only: qid<TAB>query text file')
    .option('--k <n>', 'hits per query (the metric depth)', '10')
    .option(
      '--metric <name>',
      'metric, e.g. ndcg@10, p@5, recall@10, mrr, err@10, ap (repeatable)',
      collect,
    )
    .option('--threshold <rating>', 'ratings ≥ this count as relevant (P, recall, MRR, AP)')
    .option(
      '--tenant <id>',
      `tenant whose products are searched (default: the query set's, else ${DEFAULT_EVAL_TENANT})`,
    )
    .option('--es <url>', 'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200)')
    .option('--index <name>', 'index to search (env RWB_INDEX, default search_products)')
    .option('--batch-size <n>', 'searches per _msearch', '50')
    .option(
      '--verify',
      'also compute ES _rank_eval on the same requests and compare per query (needs the rank-eval module)',
    )
    .option('--explain', 'keep ES explanations of every hit in the snapshots')
    .option('--no-snapshot', 'do not record snapshots of the top k')
    .option('--note <text>', 'note recorded with the runs')
    .option(
      '--min-coverage <share>',
      `warn when the judged share of the top k is below this (0–1, default ${DEFAULT_MIN_COVERAGE})`,
    )
    .option('--json', 'print everything as JSON')
    .action(async (flags: EvalFlags) => {
      if (flags.config.length === 0)
        throw new RwbError('INVALID_INPUT', 'give at least one --config');
      const minCoverage = minCoverageFlag(flags.minCoverage);
      const judgments = await loadJudgments(flags);
      if (!flags.json) writeIssues(judgments.issues);
      const configs = [];
      for (const file of flags.config) {
        configs.push({
          config: await readConfig(file),
          label: path.basename(file),
          note: `from ${file}`,
        });
      }
      const threshold = flags.threshold === undefined ? undefined : Number(flags.threshold);
      if (threshold !== undefined && !Number.isFinite(threshold)) {
        throw new RwbError(
          'INVALID_INPUT',
          `--threshold must be a number, got "${flags.threshold}"`,
        );
      }
      const cluster = connect(flags);
      const tenantId = flags.tenant ?? judgments.querySet.tenant ?? DEFAULT_EVAL_TENANT;
      const embedder = createQueryEmbedders();
      const progress = stagedProgress({ search: 'Evaluating' }, !flags.json);
      const { signal, release } = interruptSignal();
      let session: EvalSessionResult;
      try {
        session = await evaluateAndRecord({
          client: cluster.client,
          url: cluster.url,
          store: experimentStore(),
          index: cluster.index,
          tenantId,
          querySet: judgments.querySet,
          configs,
          k: intFlag('k', flags.k)!,
          ...(flags.metric && { metrics: flags.metric }),
          ...(threshold !== undefined && { metricOptions: { relevantThreshold: threshold } }),
          dependencies: createEvalDependencies(cluster.client, cluster.index, {
            embedders: embedder,
            url: cluster.url,
          }),
          batchSize: intFlag('batch-size', flags.batchSize)!,
          snapshot: flags.snapshot,
          explain: Boolean(flags.explain),
          verify: Boolean(flags.verify),
          ...(flags.note !== undefined && { note: flags.note }),
          signal,
          onProgress: (p) => {
            if (p.stage !== 'score') progress.update(p.stage, p.done, p.total);
          },
        });
      } finally {
        progress.stop();
        release();
        await embedder.close();
        await cluster.client.close();
      }
      if (flags.json)
        printJson(jsonOf(session, judgments.source, tenantId, cluster.index, minCoverage));
      else printHuman(session, judgments.source, tenantId, cluster.index, minCoverage);
      if (session.verification?.some((v) => !v.agrees)) process.exitCode = EXIT.FAILURE;
      // Rejected judgment rows are items that failed, as in `rwb judgments import`.
      else if (
        session.runs.some((r) => r.result.failedQueries.length > 0) ||
        hasRejectedRows(judgments.issues)
      )
        process.exitCode = EXIT.PARTIAL;
    });
}

function jsonOf(
  session: EvalSessionResult,
  source: string,
  tenantId: string,
  index: string,
  minCoverage: number,
) {
  return {
    source,
    tenantId,
    index,
    runs: session.runs.map((r) => ({
      label: r.label,
      revisionId: r.revision.id,
      newRevision: r.createdRevision,
      runId: r.record.id,
      snapshotId: r.snapshotId ?? null,
      warnings: r.warnings,
      /** Per quality metric: standard (= lower bound), condensed-list and upper means. */
      unjudged: metricRanges(r.result),
      coverage: runCoverage(r.result, { minCoverage }),
      result: r.result,
    })),
    comparisons: session.comparisons,
    unknownDocIds: session.unknownDocIds,
    verification: session.verification,
    stats: session.stats,
  };
}

function printHuman(
  session: EvalSessionResult,
  source: string,
  tenantId: string,
  index: string,
  minCoverage: number,
): void {
  const out: string[] = [];
  const first = session.runs[0]!.result;
  const qualityMetric = first.metrics.find((m) => !m.startsWith('unrated@')) ?? first.metrics[0]!;
  out.push(
    `Query set "${first.querySet?.name}" from ${source}: ${first.queries.length} queries · tenant ${tenantId} · index ${index} · k ${first.k}`,
    '',
    formatRunsTable(session.runs),
    '',
    formatUnjudgedTable(session.runs, minCoverage),
    '',
    formatLanguageTable(session.runs, qualityMetric),
  );
  if (first.excluded.length > 0) {
    out.push(
      '',
      `Not averaged in (no rating above 0, ideal DCG 0): ${first.excluded.length} quer${first.excluded.length === 1 ? 'y' : 'ies'}: ` +
        first.excluded
          .slice(0, 8)
          .map((e) => `"${e.query}"`)
          .join(', ') +
        (first.excluded.length > 8 ? ', …' : ''),
    );
  }
  for (const run of session.runs) {
    for (const failed of run.result.failedQueries.slice(0, 5)) {
      out.push(`${run.label}: query "${failed.query}" failed: [${failed.code}] ${failed.message}`);
    }
    for (const warning of run.warnings.slice(0, 3)) out.push(`${run.label}: warning: ${warning}`);
  }
  if (session.unknownDocIds.length > 0) {
    const sample = session.unknownDocIds.slice(0, 5).map((u) => `${u.docId} ("${u.query}")`);
    out.push(
      `${session.unknownDocIds.length} rated doc id(s) are not in ${index} for tenant ${tenantId} (counted as never retrieved): ${sample.join(', ')}${session.unknownDocIds.length > 5 ? ', …' : ''}`,
    );
  }
  session.comparisons.forEach((c, i) => {
    out.push('', formatComparison(c, session.runs[0]!.label, session.runs[i + 1]!.label));
  });
  if (session.verification) out.push('', formatVerification(session.verification));
  const s = session.stats;
  out.push(
    '',
    `${s.searches} searches (${s.distinctRequests} distinct, ${s.msearchCalls} _msearch calls) in ${(s.totalMs / 1000).toFixed(1)} s ` +
      `(all prepared after ${(s.prepareMs / 1000).toFixed(1)} s; _msearch busy ${(s.searchMs / 1000).toFixed(1)} s)`,
    'Recorded: ' +
      session.runs
        .map(
          (r) =>
            `${r.label} → ${r.revision.id}${r.createdRevision ? ' (new)' : ''} ${r.record.id}${r.snapshotId ? ` ${r.snapshotId}` : ''}`,
        )
        .join('; '),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
