/**
 * Which onnxruntime execution provider runs a model, and why. onnxruntime-node bundles the CPU
 * provider; the CUDA provider (linux/x64 only) is a separate download its install script skips
 * when ONNXRUNTIME_NODE_INSTALL=skip (how this project installs it). See docs/gpu.md.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { RwbError } from '../errors.ts';

export type ExecutionProviderRequest = 'auto' | 'cpu' | 'cuda';
export type ExecutionProvider = 'cpu' | 'cuda';

export interface CudaSupport {
  /** onnxruntime-node publishes CUDA binaries for linux/x64 only. */
  platformSupported: boolean;
  providerLibrary: string;
  providerLibraryPresent: boolean;
}

export interface ExecutionProviderPlan {
  /** Try CUDA first (the session may still fail to start, e.g. no driver or CUDA 12 libraries). */
  tryCuda: boolean;
  /** Why CPU was chosen without trying CUDA (null when CUDA will be tried). */
  cpuReason: string | null;
}

export const GPU_DOC = 'docs/gpu.md';

/** Directory holding onnxruntime-node's native binding for this platform. */
export function onnxruntimeBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('onnxruntime-node');
  // <pkg>/dist/index.js → <pkg>/bin/napi-v6/<platform>/<arch>
  return path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

export function probeCudaSupport(): CudaSupport {
  const providerLibrary = path.join(onnxruntimeBinaryDir(), 'libonnxruntime_providers_cuda.so');
  return {
    platformSupported: process.platform === 'linux' && process.arch === 'x64',
    providerLibrary,
    providerLibraryPresent: existsSync(providerLibrary),
  };
}

/**
 * Decides, before any session starts, whether CUDA is worth trying. `cuda` requested on a machine
 * that cannot run it is an error (the user asked for something we cannot give); `auto` falls back.
 */
export function planExecutionProvider(
  requested: ExecutionProviderRequest,
  cuda: CudaSupport,
): ExecutionProviderPlan {
  if (requested === 'cpu') return { tryCuda: false, cpuReason: 'CPU requested' };
  let missing: string | null = null;
  if (!cuda.platformSupported) {
    missing = `onnxruntime-node has no CUDA provider for ${process.platform}/${process.arch} (linux/x64 only)`;
  } else if (!cuda.providerLibraryPresent) {
    missing =
      `the CUDA provider library is not installed (${cuda.providerLibrary} is missing; ` +
      `onnxruntime-node was installed with ONNXRUNTIME_NODE_INSTALL=skip — see ${GPU_DOC})`;
  }
  if (missing === null) return { tryCuda: true, cpuReason: null };
  if (requested === 'cuda') {
    throw new RwbError('MODEL_ERROR', `CUDA execution was requested but ${missing}.`, { cuda });
  }
  return { tryCuda: false, cpuReason: `auto: ${missing}` };
}

/** What to say when CUDA was tried and the session did not start. */
export function cudaStartFailure(requested: ExecutionProviderRequest, error: string): string {
  const reason = `the CUDA provider failed to start (${error}); see ${GPU_DOC}`;
  if (requested === 'cuda')
    throw new RwbError('MODEL_ERROR', `CUDA execution was requested but ${reason}.`);
  return `auto: ${reason}`;
}

export function sessionOptionsFor(
  provider: ExecutionProvider,
  intraOpThreads: number,
): InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cuda' ? [{ name: 'cuda', deviceId: 0 }] : ['cpu'],
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Failures still surface as exceptions, and we report the outcome ourselves: keep ORT's own
    // stderr logging to errors (3), and quiet for the CUDA attempt (4), whose failure we explain.
    logSeverityLevel: provider === 'cuda' ? 4 : 3,
  };
}

const alreadySaid = new WeakMap<(message: string) => void, Set<string>>();

/**
 * Logs a message once per logger (the EP choice is said once per process with the default
 * logger, not once per worker or per encoder).
 */
export function sayOnce(message: string, log: (message: string) => void): void {
  let said = alreadySaid.get(log);
  if (!said) alreadySaid.set(log, (said = new Set()));
  if (said.has(message)) return;
  said.add(message);
  log(message);
}

export function defaultLog(message: string): void {
  process.stderr.write(`${message}\n`);
}
