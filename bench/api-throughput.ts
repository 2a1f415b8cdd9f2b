/**
 * Throughput of the production search API: `rwb serve` runs as its own process (as in
 * production) on a bundle exported from the Icecat index; 8 clients on loopback each send one
 * POST /search at a time (the dev query set, round robin) for a fixed duration, after a warm-up
 * pass that fills the query-vector cache. Reports requests/s, latency percentiles, errors and the
 * server's own per-stage means from /metrics. Prints a table and writes
 * bench/results/api-throughput.json; asserts nothing.
 *
 *   npx tsx bench/api-throughput.ts [--es URL] [--index rwb_bench_search_icecat] [--clients 8] [--seconds 30]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ICECAT_TENANT } from '../engine/catalog/icecat.ts';
import { exportBundle, writeBundle } from '../engine/config/bundle.ts';
import { createEsClient } from '../engine/es/client.ts';
import { repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureIcecatIndex } from './eval-icecat-index.ts';
import { benchSearchConfig, devQueries, machineInfo, summarize } from './search-latency.ts';

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(bundleFile: string, es: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['bin/rwb.mjs', 'serve', '--config', bundleFile, '--es', es, '--port', '0', '--threads', '1'],
    {
      cwd: repoRoot(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`rwb serve exited with ${code} before listening`)),
    );
    lines.on('line', (line) => {
      const match = /Listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return { url, child };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill('SIGTERM');
  await exited;
}

/** Per-stage mean (ms) from the server's histogram sums and counts. */
function stageMeans(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stage of ['parse', 'embed', 'es', 'format']) {
    const sum = Number(
      new RegExp(`^rwb_search_stage_duration_seconds_sum\\{stage="${stage}"\\} (\\S+)$`, 'm').exec(
        metrics,
      )?.[1],
    );
    const count = Number(
      new RegExp(
        `^rwb_search_stage_duration_seconds_count\\{stage="${stage}"\\} (\\S+)$`,
        'm',
      ).exec(metrics)?.[1],
    );
    if (count > 0) out[stage] = Math.round((sum / count) * 1e6) / 1e3;
  }
  return out;
}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2));
  const index = args.get('--index') ?? 'rwb_bench_search_icecat';
  const clients = Number(args.get('--clients') ?? 8);
  const seconds = Number(args.get('--seconds') ?? 30);
  const docs = await ensureIcecatIndex({
    es: args.es,
    index,
    database: args.get('--database') ?? 'rwb_bench_search',
  });
  const queries = await devQueries();

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bench-api-'));
  const bundleFile = path.join(tmp, 'bundle.json');
  const client = createEsClient({ url: args.es });
  try {
    await writeBundle(
      bundleFile,
      await exportBundle({ config: benchSearchConfig(), index, client, url: args.es }),
    );
  } finally {
    await client.close();
  }

  const server = await startServer(bundleFile, args.es);
  const search = async (query: string): Promise<number> => {
    const response = await fetch(`${server.url}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': ICECAT_TENANT },
      body: JSON.stringify({ query, size: 10 }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  try {
    for (const query of queries) await search(query); // fills the server's query-vector cache

    let next = 0;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const client = async () => {
      while (performance.now() < deadline) {
        const query = queries[next++ % queries.length]!;
        const sent = performance.now();
        let status: string;
        try {
          status = String(await search(query));
        } catch {
          status = 'network-error';
        }
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    const elapsed = (performance.now() - started) / 1000;
    const metrics = await (await fetch(`${server.url}/metrics`)).text();

    const completed = latencies.length;
    const result = {
      benchmark: 'api-throughput',
      date: new Date().toISOString(),
      machine: machineInfo(),
      setup: {
        server: 'rwb serve (own process, --threads 1), loopback',
        index: { name: index, es: args.es, docs },
        bundle: { config: 'bench-icecat', textModel: 'bge-small-en-v15-q', size: 10 },
        clients,
        seconds,
        queries: queries.length,
        warmup: 'one pass over every query (query vectors cached)',
      },
      requests: completed,
      elapsedSeconds: Math.round(elapsed * 100) / 100,
      requestsPerSecond: Math.round((completed / elapsed) * 10) / 10,
      statuses,
      latencyMs: summarize(latencies),
      serverStageMeansMs: stageMeans(metrics),
    };
    console.log(
      `API throughput: ${clients} clients × ${seconds} s against rwb serve on ${index} (${docs} docs)`,
    );
    console.log('| requests | req/s | p50 ms | p95 ms | p99 ms | statuses |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    console.log(
      `| ${completed} | ${result.requestsPerSecond} | ${result.latencyMs.p50} | ${result.latencyMs.p95} | ${result.latencyMs.p99} | ${JSON.stringify(statuses)} |`,
    );
    console.log(`server stage means (ms): ${JSON.stringify(result.serverStageMeansMs)}`);
    const file = path.join(repoRoot(), 'bench', 'results', 'api-throughput.json');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(repoRoot(), file)}`);
  } finally {
    await stopServer(server);
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

await main();
