/**
 * A separate writer process for the store concurrency tests (run with `node --import tsx`).
 * Reads a JSON job from argv[2]:
 *   { mode: 'rate', querySetId, pairs: [[query, docId, rating], ...] }
 *     rates each pair through the operation table (as the app does), in order, several in
 *     flight; prints `done` at the end.
 *   { mode: 'churn', querySetId, runId, tag }
 *     rates `churn|<tag>-<n>` = n % 4 one at a time forever, every 5th also annotates the run with
 *     `<tag>-<n>`, and prints `ack <n>` after each acknowledged write — until it is killed.
 * RWB_HOME comes from the environment.
 */
import { createApiContext } from '../../engine/api/context.ts';
import { invokeOperation } from '../../engine/api/invoke.ts';
import { ExperimentStore } from '../../engine/eval/store/experiment-store.ts';
import { QuerySetStore } from '../../engine/eval/store/query-set-store.ts';
import { updateQuerySetById, withRating } from '../../engine/eval/runner-query-sets.ts';

type Job =
  | { mode: 'rate'; querySetId: string; pairs: Array<[string, string, number]> }
  | { mode: 'churn'; querySetId: string; runId: string; tag: string };

const job = JSON.parse(process.argv[2] ?? '{}') as Job;

function write(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

if (job.mode === 'rate') {
  const ctx = createApiContext({
    mode: 'test',
    es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 1000 },
    defaultIndex: 'unused',
  });
  const inFlight = new Set<Promise<unknown>>();
  for (const [query, docId, rating] of job.pairs) {
    const call = invokeOperation(
      'judgments.rate',
      { querySetId: job.querySetId, query, docId, rating },
      ctx,
    ).finally(() => inFlight.delete(call));
    inFlight.add(call);
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await write('done');
  await ctx.close();
} else if (job.mode === 'churn') {
  const querySets = new QuerySetStore();
  const experiments = new ExperimentStore();
  await write('ready');
  for (let n = 0; ; n++) {
    const docId = `${job.tag}-${n}`;
    await updateQuerySetById(querySets, job.querySetId, (set) =>
      withRating(set, 'churn', docId, n % 4),
    );
    if (n % 5 === 0) await experiments.annotate(job.runId, docId);
    await write(`ack ${n}`);
  }
}
