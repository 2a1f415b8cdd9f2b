/**
 * Turns validation problems into sentences that name the place: `domains[1].boost must be > 0`.
 * Shared by the schema, the cross-field rules and the mapping check so all read alike.
 */
import type { z } from 'zod';
import { RwbError } from '../errors.ts';

export type IssuePath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  /** Rendered path: `domains[1].fields[0].boost`, `query.rewrite.dictionary["芭比"]`. */
  path: string;
  /** Sentence fragment that follows the path: `must be > 0`. */
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

function describeReceived(received: unknown): string {
  return typeof received === 'string' ? received : JSON.stringify(received);
}

function sizeMessage(
  issue: z.ZodIssue & { code: 'too_small' | 'too_big' },
  comparison: { strict: string; inclusive: string },
): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  switch (issue.type) {
    case 'number':
    case 'bigint':
      return `must be ${issue.inclusive ? comparison.inclusive : comparison.strict} ${String(bound)}`;
    case 'array':
    case 'set':
      if (issue.code === 'too_small' && Number(bound) === 1) return 'must not be empty';
      return `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} item(s)`;
    case 'string':
      if (issue.code === 'too_small' && Number(bound) === 1) return 'must not be empty';
      return `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} characters long`;
    default:
      return issue.message;
  }
}

/** One zod issue as a sentence fragment (the path is rendered separately). */
export function describeZodIssue(issue: z.ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return 'is required';
      return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected} (got ${issue.received})`;
    case 'invalid_literal':
      return `must be ${JSON.stringify(issue.expected)} (got ${describeReceived(issue.received)})`;
    case 'unrecognized_keys':
      return `has unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')} (got ${JSON.stringify(issue.received)})`;
    case 'invalid_union_discriminator':
      return `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')}`;
    case 'too_small':
      return sizeMessage(issue, { strict: '>', inclusive: '>=' });
    case 'too_big':
      return sizeMessage(issue, { strict: '<', inclusive: '<=' });
    case 'invalid_string':
    case 'custom':
    default:
      return issue.message;
  }
}

export function issuesFromZod(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: describeZodIssue(issue),
  }));
}

export function renderIssue(issue: ConfigIssue): string {
  return `${issue.path} ${issue.message}`;
}

/** One RwbError for all problems, so the user fixes them in one round. */
export function invalidConfigError(issues: readonly ConfigIssue[], source?: string): RwbError {
  const where =
    source === undefined ? 'Invalid search config' : `Invalid search config in ${source}`;
  const lines = issues.map((issue) => `  - ${renderIssue(issue)}`);
  return new RwbError('INVALID_CONFIG', `${where}:\n${lines.join('\n')}`, { source, issues });
}
