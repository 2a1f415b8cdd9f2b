/**
 * Runs one operation by name: validates the input against the op's schema, runs the handler (or
 * starts the job), checks the output against the contract and turns every failure into an
 * RwbError. IPC, HTTP and in-process callers all go through here, so they behave the same.
 */
import type { z } from 'zod';
import { RwbError, toRwbError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import { isOperationName, OPERATION_NAMES, type OperationName } from './names.ts';
import { operations, type OpInput, type OpOutput } from './operations.ts';
import type { AnyOperation, CallExtras } from './operation.ts';

export interface IssueSummary {
  path: string;
  message: string;
}

export function summarizeIssues(issues: z.ZodIssue[]): IssueSummary[] {
  return issues.map((issue) => ({ path: issue.path.length ? issue.path.join('.') : '(input)', message: issue.message }));
}

export function invalidInput(operation: string, issues: z.ZodIssue[]): RwbError {
  const summary = summarizeIssues(issues);
  const first = summary[0]!;
  const more = summary.length > 1 ? ` (and ${summary.length - 1} more problem${summary.length > 2 ? 's' : ''})` : '';
  return new RwbError('INVALID_INPUT', `${operation}: ${first.path}: ${first.message}${more}`, { operation, issues: summary });
}

function lookup(name: unknown): { name: OperationName; op: AnyOperation } {
  if (!isOperationName(name)) {
    throw new RwbError('NOT_FOUND', `Unknown operation "${String(name)}" (known: ${OPERATION_NAMES.join(', ')})`);
  }
  return { name, op: operations[name] };
}

/**
 * Untyped entry for transports: `rawInput` is whatever arrived over the wire. `extras.signal`
 * (HTTP: the client went away) lets a superseded call stop its Elasticsearch work.
 */
export async function invokeOperation(name: unknown, rawInput: unknown, ctx: ApiContext, extras: CallExtras = {}): Promise<unknown> {
  try {
    const { name: opName, op } = lookup(name);
    // null and undefined both mean "no input", so operations with defaults can be called bare.
    const parsed = op.input.safeParse(rawInput ?? undefined);
    if (!parsed.success) throw invalidInput(opName, parsed.error.issues);
    if (op.kind === 'job') {
      const input = parsed.data;
      const started = ctx.jobs.start(op.jobKind, (job) => op.run(input, ctx, job), { label: op.label?.(input) ?? op.jobKind });
      return { jobId: started.id, kind: started.kind };
    }
    const output = await op.handler(parsed.data, ctx, extras);
    const checked = op.output.safeParse(output);
    if (!checked.success) {
      const issue = summarizeIssues(checked.error.issues)[0]!;
      throw new RwbError('INTERNAL', `${opName} answered outside its contract at ${issue.path}: ${issue.message}`);
    }
    return checked.data;
  } catch (err) {
    throw toRwbError(err);
  }
}

/** Typed entry for in-process callers (CLI, tests). */
export async function invoke<N extends OperationName>(name: N, input: OpInput<N>, ctx: ApiContext, extras: CallExtras = {}): Promise<OpOutput<N>> {
  return (await invokeOperation(name, input, ctx, extras)) as OpOutput<N>;
}
