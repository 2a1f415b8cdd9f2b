/**
 * `rwb experiments list|show|diff|export|annotate`: the recorded history of config revisions,
 * eval and tune runs and snapshots.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RevisionDiff, ShowResult } from '../../eval/experiments-records.ts';
import { querySetLabel } from '../../eval/experiments.ts';
import { experimentStore, printJson } from './eval-shared.ts';
import { formatComparison, formatTable, num, signed } from './eval-tables.ts';

function short(value: unknown, width = 40): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function mainMetric(means: Readonly<Record<string, number | null>>): string {
  const name = Object.keys(means).find((m) => m.startsWith('ndcg@')) ?? Object.keys(means)[0];
  return name === undefined ? '' : `${name} ${num(means[name])}`;
}

function printShow(shown: ShowResult): void {
  const lines: string[] = [];
  if (shown.type === 'revision') {
    const r = shown.revision;
    lines.push(
      `Revision ${r.id} (created ${r.createdAt})`,
      `  parent: ${r.parent ?? '—'}`,
      `  note:   ${r.note || '—'}`,
      `  config: ${String(r.config.name ?? '')} ${String(r.config.description ?? '')}`.trimEnd(),
      `  children: ${shown.children.map((c) => c.id).join(', ') || '—'}`,
      `  snapshots: ${shown.snapshots.map((s) => s.id).join(', ') || '—'}`,
    );
    if (shown.runs.length > 0) {
      lines.push(
        '',
        formatTable(
          ['run', 'kind', 'query set', 'created', 'score'],
          shown.runs.map((run) => [
            run.id,
            run.kind,
            querySetLabel(run.querySet),
            run.createdAt,
            mainMetric(run.means),
          ]),
          ['left', 'left', 'left', 'left', 'left'],
        ),
      );
    }
  } else if (shown.type === 'run') {
    const run = shown.run;
    lines.push(
      `Run ${run.id} (${run.kind}) of revision ${run.revisionId} on ${querySetLabel(run.querySet)} at ${run.createdAt}`,
      `  queries: ${run.validQueries} valid of ${run.totalQueries}${run.note ? ` · note: ${run.note}` : ''}`,
      '',
      formatTable(
        ['metric', 'mean'],
        Object.entries(run.means).map(([m, v]) => [m, num(v)]),
      ),
    );
    if (run.tune) {
      const t = run.tune.report;
      lines.push(
        '',
        `Tune from ${run.tune.baseRevisionId}: ${t.trialsRun} trials, ${t.folds} folds, CV gain ${signed(run.tune.validationGain)}`,
        `  best params: ${short(t.bestParams, 200)}`,
      );
    }
    for (const a of run.annotations) lines.push(`  annotation ${a.at}: ${a.text}`);
  } else {
    const s = shown.snapshot;
    lines.push(
      `Snapshot ${s.id} of revision ${s.revisionId}${s.runId ? ` (run ${s.runId})` : ''}: ${s.queries.length} queries, top ${s.k}`,
    );
    for (const q of s.queries.slice(0, 10)) {
      lines.push(`  ${q.query}: ${q.docs.map((d) => d.id).join(' ')}`);
    }
    if (s.queries.length > 10) lines.push('  …');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printDiff(diff: RevisionDiff): void {
  const lines = [`${diff.a.id} → ${diff.b.id}`, ''];
  if (diff.configChanges.length === 0) lines.push('Configs are identical.');
  else {
    lines.push(
      formatTable(
        ['config path', 'change', 'before', 'after'],
        diff.configChanges.map((c) => [
          c.path,
          c.kind,
          c.kind === 'added' ? '' : short(c.before),
          c.kind === 'removed' ? '' : short(c.after),
        ]),
        ['left', 'left', 'left', 'left'],
      ),
    );
  }
  if (diff.metrics) {
    lines.push(
      '',
      `Latest eval runs on ${diff.metrics.querySet}: ${diff.metrics.runA} vs ${diff.metrics.runB}`,
      formatTable(
        ['metric', diff.a.id, diff.b.id, 'Δ'],
        diff.metrics.changes.map((m) => [m.metric, num(m.a), num(m.b), signed(m.delta)]),
      ),
    );
  } else lines.push('', 'No eval runs of both revisions on a shared query set.');
  if (diff.comparison) lines.push('', formatComparison(diff.comparison, diff.a.id, diff.b.id));
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerExperimentsCommands(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('Recorded config revisions, eval/tune runs and snapshots (the score history)');

  experiments
    .command('list')
    .description('List revisions and runs, oldest first')
    .option('--query-set <label>', 'only runs on this query set (name or tenant/index/name)')
    .option('--revision <id>', 'only this revision')
    .option('--json', 'print as JSON')
    .action(async (flags: { querySet?: string; revision?: string; json?: boolean }) => {
      const listed = await experimentStore().list({
        ...(flags.querySet !== undefined && { querySet: flags.querySet }),
        ...(flags.revision !== undefined && { revisionId: flags.revision }),
      });
      if (flags.json) return printJson(listed);
      const lines = [
        formatTable(
          ['revision', 'parent', 'created', 'note'],
          listed.revisions.map((r) => [r.id, r.parent ?? '—', r.createdAt, r.note]),
          ['left', 'left', 'left', 'left'],
        ),
        '',
        formatTable(
          ['run', 'kind', 'revision', 'query set', 'score', 'CV gain'],
          listed.runs.map((r) => [
            r.id,
            r.kind,
            r.revisionId,
            querySetLabel(r.querySet),
            mainMetric(r.means),
            r.validationGain === undefined ? '' : signed(r.validationGain),
          ]),
          ['left', 'left', 'left', 'left', 'left'],
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      for (const p of listed.problems)
        process.stderr.write(`unreadable: ${p.file}: ${p.message}\n`);
    });

  experiments
    .command('show <id>')
    .description(
      'Show a revision (rev-…), run (run-…) or snapshot (snap-…); a unique id prefix is enough',
    )
    .option('--json', 'print as JSON (the full record)')
    .action(async (id: string, flags: { json?: boolean }) => {
      const shown = await experimentStore().show(id);
      if (flags.json) printJson(shown);
      else printShow(shown);
    });

  experiments
    .command('diff <a> <b>')
    .description('Config diff of two revisions plus the metric diff of their latest eval runs')
    .option('--query-set <label>', 'compare runs on this query set')
    .option('--metric <name>', 'metric of the per-query comparison')
    .option('--json', 'print as JSON')
    .action(
      async (
        a: string,
        b: string,
        flags: { querySet?: string; metric?: string; json?: boolean },
      ) => {
        const diff = await experimentStore().diffRevisions(a, b, {
          ...(flags.querySet !== undefined && { querySet: flags.querySet }),
          ...(flags.metric !== undefined && { compare: { metric: flags.metric } }),
        });
        if (flags.json) printJson(diff);
        else printDiff(diff);
      },
    );

  experiments
    .command('export')
    .description('Export the history as JSON (everything) or CSV (score history)')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--query-set <label>', 'only this query set')
    .action(async (flags: { format: string; out?: string; querySet?: string }) => {
      const text = await experimentStore().exportHistory({
        format: flags.format,
        ...(flags.querySet !== undefined && { querySet: flags.querySet }),
      });
      if (flags.out) await writeFile(flags.out, text, 'utf8');
      else process.stdout.write(text);
    });

  experiments
    .command('annotate <run> <text>')
    .description('Annotate a run in the score history ("added synonyms", "reindexed")')
    .action(async (run: string, text: string) => {
      const record = await experimentStore().annotate(run, text);
      process.stdout.write(`Annotated ${record.id} (${record.annotations.length} annotation(s))\n`);
    });
}
