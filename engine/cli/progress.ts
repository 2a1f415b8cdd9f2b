/**
 * A terminal progress bar for jobs (done/total, rate, ETA, failures). On a non-TTY (CI logs,
 * pipes) it prints a plain line every few seconds instead of redrawing.
 */
import cliProgress from 'cli-progress';
import type { JobProgress } from '../jobs/job.ts';
import { escapeControlChars, terminalStream } from './terminal.ts';

export interface ProgressRenderer {
  update(p: JobProgress): void;
  log(line: string): void;
  stop(): void;
}

function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '--';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgressRenderer(label: string, guarded: NodeJS.WriteStream = process.stderr): ProgressRenderer {
  // The bar draws with escape sequences on purpose, so it writes past the CLI's output guard; the
  // label and logged lines may echo input and are escaped here instead.
  const stream = terminalStream(guarded);
  label = escapeControlChars(label);
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        const now = Date.now();
        if (now - last < 5000 && p.done !== p.total) return;
        last = now;
        const total = p.total ?? '?';
        stream.write(`${label}: ${p.done}/${total} (${p.rate?.toFixed(1) ?? '-'}/s, ETA ${formatEta(p.etaSeconds)}, ${p.failed} failed)\n`);
      },
      log: (line) => stream.write(`${escapeControlChars(line)}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_h} | {failed} failed`,
      hideCursor: true,
      stream,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { rate: p.rate?.toFixed(1) ?? '-', eta_h: formatEta(p.etaSeconds), failed: p.failed };
      if (!started) {
        bar.start(p.total ?? 0, p.done, payload);
        started = true;
      } else {
        if (p.total !== null) bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    log(line) {
      if (started) bar.stop();
      stream.write(`${escapeControlChars(line)}\n`);
      if (started) started = false;
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
