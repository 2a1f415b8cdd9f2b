import { Option, type Command } from 'commander';
import { esConnectionFromEnv } from '../../config/connections.ts';
import { summarizeAnalysis, type AnalysisChoice } from '../../es/analysis.ts';
import { ensureAnalysisPlugin } from '../../es/analysis-plugin.ts';
import { assertEsReachable, createEsClient } from '../../es/client.ts';
import { getIndexInfo, SEARCH_PRODUCTS_INDEX } from '../../es/index.ts';
import { ProgressMeter } from '../../jobs/job.ts';
import { esRuntimesDir } from '../../es/layout.ts';
import {
  localNodeStatus,
  startLocalNode,
  stopLocalNode,
  type LocalNodeStatus,
} from '../../es/local-node.ts';
import { DEFAULT_HEAP, DEFAULT_HTTP_PORT } from '../../es/node-config.ts';
import { ensureEsRuntime, esVersion, type RuntimeProgress } from '../../es/runtime.ts';
import { EXIT } from '../exit-codes.ts';
import { createProgressRenderer, type ProgressRenderer } from '../progress.ts';
import { redactUrl } from '../../net/redact.ts';
import { wholeNumberFlag } from '../flags.ts';

interface ProfileFlags {
  profile: string;
  json?: boolean;
}
interface StartFlags extends ProfileFlags {
  port?: string;
  transportPort?: string;
  heap?: string;
  timeout: string;
}
interface StopFlags extends ProfileFlags {
  timeout: string;
}
interface IndexFlags {
  es?: string;
  esApiKey?: string;
  esUser?: string;
  esPassword?: string;
  esCa?: string;
  insecure?: boolean;
  index: string;
  json?: boolean;
}

/** Download and extraction progress as two bars (MB), or plain lines when stderr is not a TTY. */
function runtimeProgressPrinter(quiet: boolean): (p: RuntimeProgress) => void {
  let bar: ProgressRenderer | null = null;
  let phase: RuntimeProgress['phase'] | null = null;
  let meter = new ProgressMeter();
  let lastMb = -1;
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  const show = (done: number, total: number | null) => {
    // Chunks arrive every few KB; redraw only when the MB count moves.
    if (done === lastMb) return;
    lastMb = done;
    bar?.update(meter.update({ total, done, failed: 0 }));
  };
  return (p) => {
    if (quiet) return;
    if (p.phase !== phase) {
      bar?.stop();
      bar =
        p.phase === 'ready'
          ? null
          : createProgressRenderer(p.phase === 'download' ? 'download (MB)' : 'extract (MB)');
      meter = new ProgressMeter();
      lastMb = -1;
      phase = p.phase;
    }
    if (p.phase === 'download')
      show(mb(p.receivedBytes), p.totalBytes === null ? null : mb(p.totalBytes));
    else if (p.phase === 'extract') show(mb(p.done), mb(p.total));
  };
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GB`
    : `${Math.round(bytes / 1024 ** 2)} MB`;
}

function printStatus(s: LocalNodeStatus): void {
  const state = s.running
    ? 'running'
    : s.starting
      ? 'starting (not answering HTTP yet)'
      : 'stopped';
  const rows: Array<[string, string]> = [
    ['profile', s.profile],
    ['state', state],
    ['pid', s.pid === null ? '-' : String(s.pid)],
    ['url', s.url],
    ['version', s.version ?? '-'],
    ['health', s.health ?? '-'],
    ['heap', s.heapMaxBytes !== null ? formatBytes(s.heapMaxBytes) : (s.heap ?? '-')],
    ['es user', s.esUser ?? '-'],
    ['data dir', s.dataDir],
    ['log', s.logFile],
    ['java', s.javaHome ?? '-'],
    ['runtime', s.runtimeHome ?? '-'],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(9)} ${v}\n`);
}

function emitJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function registerEsCommands(program: Command): void {
  const es = program
    .command('es')
    .summary('manage the embedded local Elasticsearch node (start, stop, status, fetch, index)')
    .description(
      'Manage the embedded local Elasticsearch node (one per profile, 127.0.0.1 only, security off).\n' +
        'Its runtime (ES 8.x integ-test-zip from Maven Central) and Java 17+ are needed; `rwb es fetch` gets the runtime.',
    );
  const profileOption = () =>
    new Option(
      '--profile <name>',
      'profile whose node to manage (data under $RWB_HOME/profiles/<name>/es)',
    ).default('default');

  es.command('start')
    .description(
      'Start the local node detached and wait until it is healthy (yellow/green). Does nothing if it already runs.\n' +
        'Fetches the runtime first if needed. As root, runs the node as user rwb-es (created if missing) or nobody.',
    )
    .addOption(profileOption())
    .option(
      '--port <port>',
      `HTTP port on 127.0.0.1 (default: the profile's last port, else ${DEFAULT_HTTP_PORT})`,
    )
    .option('--transport-port <port>', 'transport port (default: HTTP port + 100)')
    .option(
      '--heap <size>',
      `JVM heap, e.g. 512m or 1g (default: the profile's last heap, else ${DEFAULT_HEAP})`,
    )
    .option('--timeout <seconds>', 'how long to wait for a healthy node', '180')
    .option('--json', 'print the resulting status as JSON on stdout')
    .action(async (flags: StartFlags) => {
      const say = (line: string) => process.stderr.write(`es: ${line}\n`);
      const result = await startLocalNode({
        profile: flags.profile,
        port: wholeNumberFlag('--port', flags.port, { min: 1, max: 65_535 }),
        transportPort:
          flags.transportPort === undefined
            ? undefined
            : wholeNumberFlag('--transport-port', flags.transportPort, { min: 1, max: 65_535 }),
        heap: flags.heap,
        timeoutMs: wholeNumberFlag('--timeout', flags.timeout, { min: 1 }) * 1000,
        onProgress: runtimeProgressPrinter(false),
        onNote: say,
      });
      if (flags.json) return emitJson(result);
      say(
        `${result.alreadyRunning ? 'already running' : 'started'}: Elasticsearch ${result.version} at ${result.url} ` +
          `(pid ${result.pid}, health ${result.health}, user ${result.esUser})`,
      );
      say(`log: ${result.logFile}`);
      say(`data: ${result.dataDir}`);
    });

  es.command('stop')
    .description(
      'Stop the local node: SIGTERM, then SIGKILL if it has not exited after --timeout seconds.',
    )
    .addOption(profileOption())
    .option('--timeout <seconds>', 'grace period before SIGKILL', '30')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (flags: StopFlags) => {
      const result = await stopLocalNode({
        profile: flags.profile,
        timeoutMs: wholeNumberFlag('--timeout', flags.timeout, { min: 1 }) * 1000,
      });
      if (flags.json) return emitJson(result);
      const line = !result.wasRunning
        ? `not running (profile ${result.profile})`
        : `stopped (pid ${result.pid}${result.forced ? ', killed after the grace period' : ''})`;
      process.stderr.write(`es: ${line}\n`);
    });

  es.command('status')
    .description(
      'Show the local node: running?, pid, url, version, health, heap, ES user, data dir, log file.\n' +
        `Exit code ${EXIT.OK} when it runs and answers, ${EXIT.UNAVAILABLE} otherwise (scripts can test it).`,
    )
    .addOption(profileOption())
    .option('--json', 'print the status as JSON on stdout')
    .action(async (flags: ProfileFlags) => {
      const status = await localNodeStatus({ profile: flags.profile });
      if (flags.json) emitJson(status);
      else printStatus(status);
      if (!status.running) process.exitCode = EXIT.UNAVAILABLE;
    });

  es.command('index')
    .description(
      'Describe an index on any cluster: document count, documents per tenant, vector dims, model, and the analysis\n' +
        'chosen when it was created (see docs/analysis.md). Connection flags default to RWB_ES_* env.',
    )
    .option('--es <url>', 'Elasticsearch URL (env RWB_ES_URL, default http://127.0.0.1:9200)')
    .option('--es-api-key <key>', 'API key (prefer env RWB_ES_API_KEY)')
    .option('--es-user <name>', 'basic auth user (env RWB_ES_USERNAME)')
    .option('--es-password <password>', 'basic auth password (prefer env RWB_ES_PASSWORD)')
    .option('--es-ca <file>', 'CA certificate (PEM) for https clusters (env RWB_ES_CA_FILE)')
    .option('--insecure', 'skip TLS certificate verification (self-signed dev clusters only)')
    .option('--index <name>', 'index name', SEARCH_PRODUCTS_INDEX)
    .option('--json', 'print the description as JSON on stdout')
    .action(async (flags: IndexFlags) => {
      const env = esConnectionFromEnv();
      const conn = {
        ...env,
        url: flags.es ?? env.url,
        apiKey: flags.esApiKey ?? env.apiKey,
        username: flags.esUser ?? env.username,
        password: flags.esPassword ?? env.password,
        caFile: flags.esCa ?? env.caFile,
        insecure: flags.insecure ?? env.insecure,
      };
      const client = createEsClient(conn);
      // Printed below: never with the credentials a URL may carry.
      const shownUrl = redactUrl(conn.url);
      try {
        const cluster = await assertEsReachable(client, conn.url);
        const info = await getIndexInfo(client, flags.index, shownUrl);
        if (flags.json) return emitJson({ cluster, ...info });
        if (!info.exists) {
          process.stdout.write(
            `index ${flags.index} does not exist on ${shownUrl} (Elasticsearch ${cluster.version})\n`,
          );
          process.exitCode = EXIT.FAILURE;
          return;
        }
        const meta = info.meta;
        const rows: Array<[string, string]> = [
          [
            'index',
            `${info.index} on ${shownUrl} (Elasticsearch ${cluster.version}, ${cluster.health})`,
          ],
          ['documents', String(info.docCount)],
          [
            'tenants',
            info.tenants.map((t) => `${t.tenantId}: ${t.docs}`).join(', ') +
              (info.tenantsTruncated ? ', …' : '') || '-',
          ],
          ['text', `${meta?.text_model ?? 'no model recorded'}, ${info.textDims ?? '?'} dims`],
          ['image', `${meta?.image_model ?? 'no model recorded'}, ${info.imageDims ?? '?'} dims`],
          [
            'analysis',
            meta?.analysis
              ? summarizeAnalysis(meta.analysis as AnalysisChoice)
              : 'not recorded (not created by rwb)',
          ],
          ['created', meta?.created_at ?? '-'],
        ];
        for (const [k, v] of rows) process.stdout.write(`${k.padEnd(10)} ${v}\n`);
      } finally {
        await client.close();
      }
    });

  es.command('fetch')
    .description(
      'Download the Elasticsearch runtime (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip) from ' +
        'Maven Central (or RWB_MAVEN_REPO; a copy in ~/.m2 is used as is) and extract it, then build and install the rwb-analysis\n' +
        'plugin (English stemming, Chinese words; needs javac from a JDK 17+, see docs/analysis.md). RWB_ES_VERSION picks another 8.x.',
    )
    .option('--json', 'print the runtime location as JSON on stdout')
    .action(async (flags: { json?: boolean }) => {
      const runtime = await ensureEsRuntime({
        version: esVersion(),
        runtimesDir: esRuntimesDir(),
        onProgress: runtimeProgressPrinter(false),
      });
      const analysisPlugin = await ensureAnalysisPlugin(runtime);
      if (flags.json) return emitJson({ ...runtime, analysisPlugin });
      process.stderr.write(
        `es: Elasticsearch ${runtime.version} runtime ${runtime.installed ? 'installed' : 'already present'} at ${runtime.home}\n` +
          `es: analysis plugin: ${analysisPlugin.note}\n`,
      );
    });
}
