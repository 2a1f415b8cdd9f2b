import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke, invokeOperation } from '../../engine/api/invoke.ts';
import { OPERATION_NAMES, isOperationName } from '../../engine/api/names.ts';
import { operations } from '../../engine/api/operations.ts';
import { RwbError } from '../../engine/errors.ts';

/** Nothing listens on port 1: ES calls fail fast with "connection refused". */
const UNREACHABLE_ES = 'http://127.0.0.1:1';

function testContext(): ApiContext {
  return createApiContext({
    mode: 'test',
    es: { url: UNREACHABLE_ES, insecure: false, requestTimeoutMs: 2000 },
    defaultIndex: 'rwb_unit_products',
  });
}

async function invokeError(name: unknown, input: unknown, ctx = testContext()): Promise<RwbError> {
  try {
    await invokeOperation(name, input, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(RwbError);
    return err as RwbError;
  }
  throw new Error(`${String(name)} accepted ${JSON.stringify(input)}`);
}

/** A value no operation accepts: every input schema is a strict object. */
const FOREIGN_KEY_INPUT = { definitelyNotAField: 1 };

describe('operation table', () => {
  it('holds exactly the names of names.ts, each with zod input/output, a description and a kind', () => {
    expect(Object.keys(operations).sort()).toEqual([...OPERATION_NAMES].sort());
    for (const name of OPERATION_NAMES) {
      const op = operations[name];
      expect(op.input, name).toBeInstanceOf(z.ZodType);
      expect(op.output, name).toBeInstanceOf(z.ZodType);
      expect(op.description.length, name).toBeGreaterThan(10);
      expect(['call', 'job']).toContain(op.kind);
      if (op.kind === 'job') {
        expect(op.result, name).toBeInstanceOf(z.ZodType);
        expect(op.jobKind.length).toBeGreaterThan(0);
      }
    }
    expect(isOperationName('search.run')).toBe(true);
    expect(isOperationName('search.basic')).toBe(false);
    expect(isOperationName('search.nope')).toBe(false);
    expect(isOperationName(42)).toBe(false);
  });

  it.each(OPERATION_NAMES)(
    '%s rejects foreign fields with INVALID_INPUT naming the operation',
    async (name) => {
      const err = await invokeError(name, FOREIGN_KEY_INPUT);
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message.startsWith(`${name}: `)).toBe(true);
      expect((err.details as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    },
  );

  it('names the path of the bad field and counts the other problems', async () => {
    const err = await invokeError('search.run', { tenantId: '1', size: -5, from: -1 });
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^search\.run: (size|from): .*\(and 1 more problem\)$/);
    const issues = (err.details as { issues: Array<{ path: string }> }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['from', 'size']);
  });

  it('rejects a missing tenant, a non-object input and a bad index name', async () => {
    expect((await invokeError('search.run', { query: 'x' })).message).toMatch(/tenantId/);
    expect((await invokeError('search.run', 'tenant=1')).message).toMatch(
      /^search\.run: \(input\): /,
    );
    expect((await invokeError('index.info', { index: 'Bad Index*' })).message).toMatch(
      /^index\.info: index: must be a lowercase ES index name/,
    );
  });

  it('answers NOT_FOUND for an unknown operation, listing the known ones', async () => {
    const err = await invokeError('search.everything', {});
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('search.run');
  });

  it('lets operations without input be called with undefined, null or {}', async () => {
    const ctx = testContext();
    for (const input of [undefined, null, {}]) {
      const status = await invokeOperation('system.status', input, ctx);
      expect(operations['system.status'].output.parse(status).mode).toBe('test');
    }
  });

  it('reports an unreachable ES in es.status instead of failing the call', async () => {
    const status = await invoke('es.status', undefined, testContext());
    expect(status.reachable).toBe(false);
    expect(status.url).toBe(UNREACHABLE_ES);
    expect(status.error?.code).toBe('ES_UNREACHABLE');
    expect(status.error?.message).toContain(UNREACHABLE_ES);
  });

  it('fails index.info against an unreachable ES with ES_UNREACHABLE that names the URL', async () => {
    const err = await invokeError('index.info', {});
    expect(err.code).toBe('ES_UNREACHABLE');
    expect(err.message).toContain(UNREACHABLE_ES);
  });

  it('starts a job operation at once and reports its failure through the job, not the call', async () => {
    const ctx = testContext();
    const started = await invoke(
      'ingest.start',
      {
        source: { kind: 'file', path: '/nonexistent/products.ndjson' },
        embedding: { model: null },
      },
      ctx,
    );
    expect(started.kind).toBe('ingest');
    const final = await ctx.jobs.settled(started.jobId);
    expect(final?.status).toBe('failed');
    expect(final?.error?.message.length).toBeGreaterThan(0);
    expect(final?.label).toBe('Ingest from file');
  }, 60_000);

  it('jobs.get / jobs.cancel answer NOT_FOUND for an unknown job', async () => {
    expect((await invokeError('jobs.get', { jobId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await invokeError('jobs.cancel', { jobId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await invoke('jobs.list', undefined, testContext())).jobs).toEqual([]);
  });
});
