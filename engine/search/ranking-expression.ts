/**
 * The ranking expression (seed §5.3), e.g. `bm25() + 0.2*text_embedding_relevance()`.
 *
 * Grammar (whitespace anywhere between tokens):
 *   expr   := term ('+' term)*
 *   term   := factor ('*' factor)*
 *   factor := NUMBER | call | '(' expr ')'
 *   call   := NAME '(' [FIELD (',' FIELD)*] ')'
 *
 * Elasticsearch adds the scores of the text query and each kNN clause and lets each carry a boost,
 * so what it can execute is a weighted sum of signals. The expression is therefore evaluated to
 * a linear form: products of a number and a signal are fine, a product of two signals or a bare
 * constant is not expressible and is rejected with the position. Signals:
 *   bm25()                          → boost of the text query
 *   text_embedding_relevance()      → boost of the kNN clause on title_embedding
 *   image_embedding_relevance()     → boost of the nested kNN clause on image_embedding
 *   timeliness([field])             → an added freshness decay on a date field (create_time)
 *   field_value([field])            → an added field_value_factor on a numeric field (the
 *                                     configured ranking.popularityField)
 * The defaults are the seed's (§5.3 names `timeliness()` / `field_value()` without arguments).
 */
import { ownValue } from '../own.ts';
import { RwbError } from '../errors.ts';

export type AdditiveSignalKind = 'timeliness' | 'field_value';

export interface AdditiveSignal {
  kind: AdditiveSignalKind;
  field: string;
  weight: number;
}

export interface RankingWeights {
  bm25: number;
  textEmbedding: number;
  imageEmbedding: number;
  /** Score terms added on top of the text query, in expression order. */
  additive: AdditiveSignal[];
  /** Which signals the expression names at all (a 0 weight still counts as named). */
  mentioned: { bm25: boolean; textEmbedding: boolean; imageEmbedding: boolean };
}

export interface RankingExpressionErrorDetails {
  expression: string;
  /** UTF-16 offset into the expression. */
  position: number;
  path: 'ranking.expression';
}

export class RankingExpressionError extends RwbError {
  declare readonly details: RankingExpressionErrorDetails;

  constructor(expression: string, position: number, problem: string) {
    super(
      'INVALID_CONFIG',
      `ranking.expression: ${problem} at position ${position} in "${expression}"`,
      { expression, position, path: 'ranking.expression' },
    );
    this.name = 'RankingExpressionError';
  }
}

type SignalKey = 'bm25' | 'textEmbedding' | 'imageEmbedding' | `${AdditiveSignalKind}:${string}`;

/** constant + Σ coefficient·signal (a Map keeps the signals in the order they were written). */
interface LinearForm {
  constant: number;
  coefficients: Map<SignalKey, number>;
}

export interface RankingExpressionOptions {
  /** The field `field_value()` scores when written without one (ranking.popularityField). */
  popularityField?: string | undefined;
}

/** `timeliness()` without a field: the product's creation date (seed §3 create_time). */
export const DEFAULT_TIMELINESS_FIELD = 'create_time';

interface FunctionSpec {
  /** 0: no arguments; 1: one optional field name (absent → defaultField). */
  arity: 0 | 1;
  key: (field: string) => SignalKey;
  /** The field used when none is written; undefined → the field is required. */
  defaultField?: (options: RankingExpressionOptions) => string | undefined;
  missingField?: string;
}

const FUNCTIONS: Record<string, FunctionSpec> = {
  bm25: { arity: 0, key: () => 'bm25' },
  text_embedding_relevance: { arity: 0, key: () => 'textEmbedding' },
  image_embedding_relevance: { arity: 0, key: () => 'imageEmbedding' },
  timeliness: {
    arity: 1,
    key: (field) => `timeliness:${field}`,
    defaultField: () => DEFAULT_TIMELINESS_FIELD,
  },
  field_value: {
    arity: 1,
    key: (field) => `field_value:${field}`,
    defaultField: (options) => options.popularityField,
    missingField:
      'field_value() needs a field name, e.g. field_value(total_inventory), or ranking.popularityField set',
  },
};

const MAX_EXPRESSION_LENGTH = 1000;

/** ES rejects negative boosts, so there is no minus at all. */
const subtractionHint = (ch: string): string =>
  ch === '-' ? ' (weights must not be negative; there is no subtraction)' : '';
const MAX_DEPTH = 32;

class ExpressionParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly options: RankingExpressionOptions = {},
  ) {}

  parse(): LinearForm {
    if (this.text.length > MAX_EXPRESSION_LENGTH) {
      this.fail(MAX_EXPRESSION_LENGTH, `is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    }
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail(0, 'is empty; expected e.g. "bm25()"');
    const form = this.expr();
    this.skipSpace();
    if (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      this.fail(this.pos, `unexpected "${ch}"; expected "+", "*" or the end${subtractionHint(ch)}`);
    }
    return form;
  }

  private fail(position: number, problem: string): never {
    throw new RankingExpressionError(this.text, position, problem);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private expr(): LinearForm {
    let form = this.term();
    while (this.peek() === '+') {
      this.pos++;
      form = add(form, this.term());
    }
    return form;
  }

  private term(): LinearForm {
    let form = this.factor();
    while (this.peek() === '*') {
      const operator = this.pos;
      this.pos++;
      const right = this.factor();
      const product = multiply(form, right);
      if (product === null) {
        this.fail(
          operator,
          'two relevance signals cannot be multiplied (only a number times a signal)',
        );
      }
      form = product;
    }
    return form;
  }

  private factor(): LinearForm {
    const ch = this.peek();
    const start = this.pos;
    if (ch === undefined)
      this.fail(start, 'ends early; expected a number or a function such as bm25()');
    if (ch === '(') {
      if (++this.depth > MAX_DEPTH) this.fail(start, `nests deeper than ${MAX_DEPTH} parentheses`);
      this.pos++;
      const inner = this.expr();
      if (this.peek() !== ')') this.fail(this.pos, 'missing ")"');
      this.pos++;
      this.depth--;
      return inner;
    }
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.text.slice(start));
    if (number !== null) {
      this.pos += number[0].length;
      const value = Number(number[0]);
      if (!Number.isFinite(value)) this.fail(start, `"${number[0]}" is not a finite number`);
      return { constant: value, coefficients: new Map() };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(start));
    if (name === null) {
      this.fail(
        start,
        `unexpected "${ch}"; expected a number or a function such as bm25()${subtractionHint(ch)}`,
      );
    }
    return this.call(name[0], start);
  }

  private call(name: string, start: number): LinearForm {
    const fn = ownValue(FUNCTIONS, name);
    if (fn === undefined) {
      this.fail(start, `unknown function "${name}" (known: ${Object.keys(FUNCTIONS).join(', ')})`);
    }
    this.pos += name.length;
    if (this.peek() !== '(') this.fail(this.pos, `expected "(" after ${name}`);
    this.pos++;
    const args: string[] = [];
    while (this.peek() !== ')') {
      if (this.peek() === undefined) this.fail(this.pos, `missing ")" to close ${name}(`);
      if (args.length > 0) {
        if (this.peek() !== ',') this.fail(this.pos, `expected "," or ")" in ${name}(…)`);
        this.pos++;
        this.skipSpace();
      }
      const field = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.pos));
      if (field === null) this.fail(this.pos, `expected a field name in ${name}(…)`);
      args.push(field[0]);
      this.pos += field[0].length;
    }
    if (args.length > fn.arity) {
      this.fail(
        start,
        `${name}() takes ${fn.arity === 0 ? 'no arguments' : 'at most one field name'}, got ${args.length}`,
      );
    }
    let field: string | undefined = args[0];
    if (fn.arity === 1 && field === undefined) {
      field = fn.defaultField?.(this.options);
      if (field === undefined) this.fail(start, fn.missingField ?? `${name}() needs a field name`);
    }
    this.pos++;
    return { constant: 0, coefficients: new Map([[fn.key(field ?? ''), 1]]) };
  }
}

function add(a: LinearForm, b: LinearForm): LinearForm {
  const coefficients = new Map(a.coefficients);
  for (const [key, value] of b.coefficients)
    coefficients.set(key, (coefficients.get(key) ?? 0) + value);
  return { constant: a.constant + b.constant, coefficients };
}

function scale(form: LinearForm, factor: number): LinearForm {
  const coefficients = new Map<SignalKey, number>();
  for (const [key, value] of form.coefficients) coefficients.set(key, value * factor);
  return { constant: form.constant * factor, coefficients };
}

/** null when both sides carry a signal (not linear). */
function multiply(a: LinearForm, b: LinearForm): LinearForm | null {
  if (a.coefficients.size === 0) return scale(b, a.constant);
  if (b.coefficients.size === 0) return scale(a, b.constant);
  return null;
}

const roundWeight = (value: number): number => Math.round(value * 1e9) / 1e9;

export function parseRankingExpression(
  expression: string,
  options: RankingExpressionOptions = {},
): RankingWeights {
  const form = new ExpressionParser(expression, options).parse();
  if (form.constant !== 0) {
    throw new RankingExpressionError(
      expression,
      0,
      'a constant term adds the same amount to every score and cannot be expressed in Elasticsearch; remove it',
    );
  }
  if (form.coefficients.size === 0) {
    throw new RankingExpressionError(expression, 0, 'names no relevance signal such as bm25()');
  }
  const weights: RankingWeights = {
    bm25: 0,
    textEmbedding: 0,
    imageEmbedding: 0,
    additive: [],
    mentioned: { bm25: false, textEmbedding: false, imageEmbedding: false },
  };
  for (const [key, value] of form.coefficients) {
    const weight = roundWeight(value);
    if (key === 'bm25' || key === 'textEmbedding' || key === 'imageEmbedding') {
      weights[key] = weight;
      weights.mentioned[key] = true;
    } else {
      const colon = key.indexOf(':');
      weights.additive.push({
        kind: key.slice(0, colon) as AdditiveSignalKind,
        field: key.slice(colon + 1),
        weight,
      });
    }
  }
  return weights;
}

const cache = new Map<string, RankingWeights>();
const CACHE_LIMIT = 256;

/** parseRankingExpression, memoised (a fresh copy each call, so callers may change it). */
export function rankingWeights(
  expression: string,
  options: RankingExpressionOptions = {},
): RankingWeights {
  // NUL cannot appear in a field name, so the key is unambiguous.
  const key = `${options.popularityField ?? ''}\u0000${expression}`;
  let weights = cache.get(key);
  if (weights === undefined) {
    weights = parseRankingExpression(expression, options);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, weights);
  }
  return structuredClone(weights);
}

/** The signals whose weight a slider or the tuner can set by name (`ranking.expression.<name>`). */
export const WEIGHTED_SIGNALS = {
  bm25: 'bm25',
  text_embedding_relevance: 'textEmbedding',
  image_embedding_relevance: 'imageEmbedding',
} as const satisfies Record<string, 'bm25' | 'textEmbedding' | 'imageEmbedding'>;
export type WeightedSignal = keyof typeof WEIGHTED_SIGNALS;

export function isWeightedSignal(name: string): name is WeightedSignal {
  return Object.hasOwn(WEIGHTED_SIGNALS, name);
}

const term = (weight: number, call: string): string =>
  weight === 1 ? call : `${roundWeight(weight)}*${call}`;

/** The weights as an expression (a signal named with weight 0 stays, as `0*signal()`). */
export function formatRankingWeights(weights: RankingWeights): string {
  const parts: string[] = [];
  for (const [name, key] of Object.entries(WEIGHTED_SIGNALS) as Array<
    [WeightedSignal, 'bm25' | 'textEmbedding' | 'imageEmbedding']
  >) {
    if (weights.mentioned[key]) parts.push(term(weights[key], `${name}()`));
  }
  for (const signal of weights.additive)
    parts.push(
      term(
        signal.weight,
        `${signal.kind === 'timeliness' ? 'timeliness' : 'field_value'}(${signal.field})`,
      ),
    );
  return parts.join(' + ');
}

/** The weight of `signal` in `expression` (0 when it is not named). */
export function expressionWeight(
  expression: string,
  signal: WeightedSignal,
  options: RankingExpressionOptions = {},
): number {
  return rankingWeights(expression, options)[WEIGHTED_SIGNALS[signal]];
}

/** `expression` with the weight of `signal` set to `weight` (added when it was not named). */
export function withExpressionWeight(
  expression: string,
  signal: WeightedSignal,
  weight: number,
  options: RankingExpressionOptions = {},
): string {
  if (!Number.isFinite(weight) || weight < 0) {
    throw new RwbError(
      'INVALID_INPUT',
      `ranking.expression.${signal}: a weight must be a number ≥ 0 (got ${String(weight)})`,
      { path: `ranking.expression.${signal}` },
    );
  }
  const weights = rankingWeights(expression, options);
  const key = WEIGHTED_SIGNALS[signal];
  weights[key] = weight;
  weights.mentioned[key] = true;
  return formatRankingWeights(weights);
}
