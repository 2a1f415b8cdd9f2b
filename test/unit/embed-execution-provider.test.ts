import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import {
  type CudaSupport,
  cudaStartFailure,
  planExecutionProvider,
  probeCudaSupport,
  sayOnce,
} from '../../engine/embed/execution-provider.ts';

const lib = '/x/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so';
const noLibrary: CudaSupport = {
  platformSupported: true,
  providerLibrary: lib,
  providerLibraryPresent: false,
};
const withLibrary: CudaSupport = { ...noLibrary, providerLibraryPresent: true };
const otherPlatform: CudaSupport = { ...withLibrary, platformSupported: false };

describe('planExecutionProvider', () => {
  it('cpu: never tries CUDA', () => {
    expect(planExecutionProvider('cpu', withLibrary)).toEqual({
      tryCuda: false,
      cpuReason: 'CPU requested',
    });
  });

  it('auto without the CUDA provider library: CPU, saying which file is missing and where to read on', () => {
    const plan = planExecutionProvider('auto', noLibrary);
    expect(plan.tryCuda).toBe(false);
    expect(plan.cpuReason).toContain(lib);
    expect(plan.cpuReason).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    expect(plan.cpuReason).toContain('docs/gpu.md');
  });

  it('auto on a platform without CUDA binaries: CPU with that reason', () => {
    const plan = planExecutionProvider('auto', otherPlatform);
    expect(plan.tryCuda).toBe(false);
    expect(plan.cpuReason).toMatch(/linux\/x64 only/);
  });

  it('auto or cuda with the library present: try CUDA', () => {
    expect(planExecutionProvider('auto', withLibrary)).toEqual({ tryCuda: true, cpuReason: null });
    expect(planExecutionProvider('cuda', withLibrary)).toEqual({ tryCuda: true, cpuReason: null });
  });

  it('cuda requested but impossible: a MODEL_ERROR, not a silent CPU run', () => {
    expect(() => planExecutionProvider('cuda', noLibrary)).toThrow(RwbError);
    try {
      planExecutionProvider('cuda', noLibrary);
    } catch (err) {
      expect((err as RwbError).code).toBe('MODEL_ERROR');
      expect((err as RwbError).message).toContain('CUDA execution was requested');
    }
  });
});

describe('cudaStartFailure', () => {
  it('auto: turns the session error into the fallback reason', () => {
    expect(cudaStartFailure('auto', 'libcudnn.so.9: cannot open shared object file')).toBe(
      'auto: the CUDA provider failed to start (libcudnn.so.9: cannot open shared object file); see docs/gpu.md',
    );
  });

  it('cuda: throws', () => {
    expect(() => cudaStartFailure('cuda', 'no driver')).toThrow(
      /CUDA execution was requested.*no driver/,
    );
  });
});

describe('probeCudaSupport', () => {
  it('looks for the provider library inside the installed onnxruntime-node', () => {
    const probe = probeCudaSupport();
    expect(probe.providerLibrary).toMatch(
      /onnxruntime-node\/bin\/napi-v6\/.+libonnxruntime_providers_cuda\.so$/,
    );
  });
});

describe('sayOnce', () => {
  it('says a message once per logger', () => {
    const first: string[] = [];
    const second: string[] = [];
    const logFirst = (m: string) => first.push(m);
    const logSecond = (m: string) => second.push(m);
    sayOnce('runs on CPU', logFirst);
    sayOnce('runs on CPU', logFirst);
    sayOnce('runs on CPU', logSecond);
    sayOnce('runs on CUDA', logFirst);
    expect(first).toEqual(['runs on CPU', 'runs on CUDA']);
    expect(second).toEqual(['runs on CPU']);
  });
});
