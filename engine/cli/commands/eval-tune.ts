/**
 * `rwb tune`: search a parameter space for the config that maximises a metric on a query set,
 * with k-fold cross-validation; the best config becomes a new revision (parent: the base) and can
 * be written to a file.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { saveSearchConfig } from '../../config/search-config-io.ts';
import { RwbError } from '../../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { createEvalDependencies } from '../../eval/runner-deps.ts';
import { createQueryEmbedders } from '../../eval/runner-embedders.ts';
import { OPTIMIZERS, type OptimizerName } from '../../eval/tuner/samplers.ts';
import { parseParameterSpaceText } from '../../eval/tuner/space.ts';
import { tuneAndRecord, type TuneSessionResult } from '../../eval/tuning/tune-session.ts';
import {
  connect,
  DEFAULT_EVAL_TENANT,
  experimentStore,
  hasRejectedRows,
  interruptSignal,
  intFlag,
  minCoverageFlag,
  loadJudgments,
  printJson,
  readConfig,
  readInputFile,
  stagedProgress,
  writeIssues,
  type ClusterFlags,
  type JudgmentFlags,
} from './eval-shared.ts';
import { formatTable, formatUnjudgedTable, num, signed } from './eval-tables.ts';

interface TuneFlags extends ClusterFlags, JudgmentFlags {
  config: string;
  space: string;
  trials: string;
  folds: string;
  metric?: string;
  optimizer: string;
  seed: string;
  patience?: string;
  out?: string;
  acceptUnreliable?: boolean;
  recordEval: boolean;
  note?: string;
  json?: boolean;
  minCoverage?: string;
}

async function readSpace(file: string) {
  return parseParameterSpaceText(await readInputFile(file, 'parameter space'), file);
}

export function registerTuneCommand(program: Command): void {
  program
    .command('tune')
    .summary('auto-tune a config over a parameter space with cross-validation')
    .description(
      'Auto-tune a config: search a parameter space (YAML: config paths with ranges) for the values that ' +
        'maximise a metric (default ndcg@10) on a query set, with nested cross-validation (each outer fold runs ' +
        'the whole tuning on the other folds; the gain is measured on its held-out queries, with a 95% interval), ' +
        'a trial budget, early stopping and a sensitivity report. The tuned config is proposed — recorded as a ' +
        'new revision whose parent is the base, and written to --out — only when that interval lies above 0; ' +
        'otherwise it says "no reliable gain" and shows the numbers (--accept-unreliable proposes it anyway).',
    )
    .requiredOption('--config <file>', 'base SearchConfig or exported bundle (JSON or YAML)')
    .requiredOption('--space <file>', 'parameter space (YAML or JSON)')
    .option('--judgments <file>', 'judgments file: CSV query,docid,rating · RRE JSON · TREC qrels')
    .option('--query-set <id>', 'a query set stored with `rwb judgments import` instead of a file')
    .option(
      '--format <format>',
      'judgments format (default: from the file extension): csv, rre, trec',
    )
    .option('--queries <file>', 'TREC only: qid<TAB>query text file')
    .option('--trials <n>', 'trial budget over all folds', '200')
    .option('--folds <n>', 'cross-validation folds (1 = none)', '5')
    .option('--metric <name>', "metric to maximise (default: the space's, else ndcg@10)")
    .option('--optimizer <name>', `optimizer: ${OPTIMIZERS.join(', ')}`, 'hybrid')
    .option('--seed <seed>', 'random seed (same seed, same trials)', '0')
    .option('--patience <n>', 'stop a fold after this many trials without improvement')
    .option('--out <file>', 'write the tuned config here (.json or .yaml) when it is proposed')
    .option(
      '--accept-unreliable',
      'propose (record and write) a tuned config even when its held-out gain is not reliable',
    )
    .option(
      '--tenant <id>',
      `tenant whose products are searched (default: the query set's, else ${DEFAULT_EVAL_TENANT})`,
    )
    .option('--es <url>', 'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200)')
    .option('--index <name>', 'index to search (env RWB_INDEX, default search_products)')
    .option(
      '--no-record-eval',
      'do not evaluate and record base and tuned config on all queries afterwards',
    )
    .option('--note <text>', 'note recorded with the tune')
    .option(
      '--min-coverage <share>',
      'warn when the judged share of the top k of the base or tuned config is below this (0–1, default 0.8)',
    )
    .option('--json', 'print the result (report included) as JSON')
    .action(async (flags: TuneFlags) => {
      const minCoverage = minCoverageFlag(flags.minCoverage);
      if (!(OPTIMIZERS as readonly string[]).includes(flags.optimizer)) {
        throw new RwbError('INVALID_INPUT', `--optimizer must be one of ${OPTIMIZERS.join(', ')}`);
      }
      const judgments = await loadJudgments(flags);
      if (!flags.json) writeIssues(judgments.issues);
      const baseConfig = await readConfig(flags.config);
      const space = await readSpace(flags.space);
      const cluster = connect(flags);
      const tenantId = flags.tenant ?? judgments.querySet.tenant ?? DEFAULT_EVAL_TENANT;
      const embedder = createQueryEmbedders();
      const progress = stagedProgress({ trial: 'Tuning', sensitivity: 'Sensitivity' }, !flags.json);
      const { signal, release } = interruptSignal();
      const seed = /^\d+$/.test(flags.seed) ? Number(flags.seed) : flags.seed;
      let result: TuneSessionResult;
      try {
        result = await tuneAndRecord({
          client: cluster.client,
          url: cluster.url,
          store: experimentStore(),
          index: cluster.index,
          tenantId,
          querySet: judgments.querySet,
          baseConfig,
          baseLabel: `from ${flags.config}`,
          space,
          ...(flags.metric && { metric: flags.metric }),
          trials: intFlag('trials', flags.trials)!,
          folds: intFlag('folds', flags.folds)!,
          optimizer: flags.optimizer as OptimizerName,
          seed,
          ...(flags.patience !== undefined && { patience: intFlag('patience', flags.patience)! }),
          dependencies: createEvalDependencies(cluster.client, cluster.index, {
            embedders: embedder,
            url: cluster.url,
          }),
          recordEvaluations: flags.recordEval,
          ...(flags.note !== undefined && { note: flags.note }),
          ...(flags.acceptUnreliable && { acceptUnreliable: true }),
          signal,
          onProgress: (event) => {
            if (event.type === 'trial') progress.update('trial', event.done, event.total);
            else if (event.type === 'sensitivity')
              progress.update('sensitivity', event.done, event.total);
            else
              progress.log(
                `fold ${event.fold.fold}: train ${num(event.fold.baseTrain)} → ${num(event.fold.bestTrain)}, ` +
                  `held-out ${num(event.fold.baseValidation)} → ${num(event.fold.bestValidation)} (${signed(event.fold.validationGain)})`,
              );
          },
        });
      } finally {
        progress.stop();
        release();
        await embedder.close();
        await cluster.client.close();
      }
      const out = flags.out !== undefined && result.proposed ? flags.out : undefined;
      if (out !== undefined) await saveSearchConfig(out, result.bestConfig);
      if (flags.json) printJson({ ...result, out: out ?? null });
      else printTuneResult(result, out, flags.out, minCoverage);
      if (hasRejectedRows(judgments.issues)) process.exitCode = EXIT.PARTIAL;
    });
}

const VERDICTS: Record<TuneSessionResult['verdict'], string> = {
  'reliable-gain': 'reliable gain: the held-out interval lies above 0 — proposed as a new revision',
  'no-reliable-gain':
    'no reliable gain: the held-out interval reaches 0 or below — the tuned config is not proposed',
  'not-assessed':
    'not assessed: without cross-validation (--folds 1) nothing says the gain holds — not proposed',
  'no-change': 'no change: the tuning kept the base parameters',
};

function printTuneResult(
  result: TuneSessionResult,
  out: string | undefined,
  asked: string | undefined,
  minCoverage: number,
): void {
  const { report } = result;
  const lines: string[] = [
    `Tuned ${report.metric} with ${report.optimizer}: ${report.trialsRun}/${report.trialsBudget} trials, ${report.folds} folds, ${report.queries} queries` +
      (result.queriesLeftOut.length > 0
        ? ` (${result.queriesLeftOut.length} without positive ratings left out)`
        : ''),
    '',
    formatTable(
      [
        'fold',
        'trials',
        'stop',
        'train base',
        'train best',
        'held-out base',
        'held-out best',
        'gain',
      ],
      report.cv.folds.map((f) => [
        f.final ? 'final (all)' : String(f.fold),
        String(f.trials),
        f.stopReason,
        num(f.baseTrain),
        num(f.bestTrain),
        num(f.baseValidation),
        num(f.bestValidation),
        signed(f.validationGain),
      ]),
    ),
    '',
    report.cv.outer
      ? `Nested-CV gain on ${report.cv.outer.queries} held-out queries: ${signed(report.cv.outer.meanGain)} ` +
        `(${num(report.cv.outer.baseMean)} → ${num(report.cv.outer.tunedMean)}), ` +
        `95% CI [${signed(report.cv.outer.ci.lower)}, ${signed(report.cv.outer.ci.upper)}], p = ${num(report.cv.outer.pValue)}`
      : 'No outer estimate (one fold: no cross-validation).',
    `All queries: base ${num(report.baseScore)} → tuned ${num(report.bestScore)} (optimistic: chosen on these queries)`,
    `Verdict: ${VERDICTS[result.verdict]}${result.proposed && result.verdict !== 'reliable-gain' ? ' (proposed anyway: --accept-unreliable)' : ''}`,
    '',
    formatTable(
      ['parameter', 'base', 'best'],
      Object.keys(report.bestParams).map((name) => [
        name,
        JSON.stringify(report.baseParams[name] ?? null),
        JSON.stringify(report.bestParams[name]),
      ]),
      ['left', 'right', 'right'],
    ),
  ];
  if (report.sensitivity.length > 0) {
    lines.push(
      '',
      'Sensitivity near the best (spread of the metric when one parameter moves):',
      formatTable(
        ['parameter', 'spread'],
        [...report.sensitivity]
          .sort((a, b) => b.spread - a.spread)
          .map((s) => [s.parameter, num(s.spread)]),
      ),
    );
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  for (const failure of result.failures.slice(0, 5)) {
    lines.push(
      `warning: query "${failure.query}" failed during tuning (scored 0): ${failure.message}`,
    );
  }
  const e = result.evaluation;
  lines.push(
    '',
    `${report.evaluations.requested} query scores asked, ${report.evaluations.computed} computed; ${e.executed} searches sent in ${(e.searchMs / 1000).toFixed(1)} s`,
    result.changed
      ? `Revisions: base ${result.baseRevision.id} → tuned ${result.revision.id}; tune run ${result.tuneRun.id}`
      : `Revision: base ${result.baseRevision.id} (no tuned revision proposed); tune run ${result.tuneRun.id}`,
  );
  const evaluated = result.evalRuns
    ? [
        { label: 'base', result: result.evalRuns.base.result },
        { label: 'tuned', result: result.evalRuns.tuned.result },
      ].flatMap((r) => (r.result ? [{ label: r.label, result: r.result }] : []))
    : [];
  if (evaluated.length > 0) lines.push('', formatUnjudgedTable(evaluated, minCoverage), '');
  if (result.evalRuns) {
    lines.push(
      `Eval runs: base ${result.evalRuns.base.id}, tuned ${result.evalRuns.tuned.id} (rwb experiments diff ${result.baseRevision.id} ${result.revision.id})`,
    );
  }
  if (out) lines.push(`Tuned config written to ${path.resolve(out)}`);
  else if (asked)
    lines.push(`Not written to ${path.resolve(asked)}: the tuned config was not proposed`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
