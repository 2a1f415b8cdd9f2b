/**
 * The typed AST of a query expression (seed §5.1). Every node carries the span of the text it came
 * from, so the UI can underline a clause and errors can point at it.
 *
 * The parser normalises as it builds: AND/OR chains are n-ary and flattened, `a ANDNOT b ANDNOT c`
 * becomes one node excluding [b, c], `a RANK b RANK c` one node boosted by [b, c]. Each of those is
 * equivalent to its nested form, and the flat form keeps the tree as shallow as the parentheses.
 */

/** UTF-16 offsets into the parsed string; `end` is exclusive. */
export interface SourceSpan {
  start: number;
  end: number;
}

/** The domain every bare term searches (seed §2.2). */
export const DEFAULT_DOMAIN = 'default';

/** One text query against one domain: bare words (`red shoes`), `title:value` or `title:"a phrase"`. */
export interface TermNode {
  kind: 'term';
  domain: string;
  /** Bare words joined by single spaces, or the unescaped phrase content. Never empty. */
  text: string;
  /** Quoted: the words must appear together, in order. */
  phrase: boolean;
  span: SourceSpan;
}

/** Every operand must match (`AND`, or operands written next to each other). */
export interface AndNode {
  kind: 'and';
  /** Two or more; none is itself an `and`. */
  operands: QueryNode[];
  span: SourceSpan;
}

/** Any operand may match. */
export interface OrNode {
  kind: 'or';
  /** Two or more; none is itself an `or`. */
  operands: QueryNode[];
  span: SourceSpan;
}

/** `include ANDNOT exclude…`: include must match, no exclude may (ES: must + must_not). */
export interface AndNotNode {
  kind: 'andNot';
  /** Never itself an `andNot` (that would be merged into `exclude`). */
  include: QueryNode;
  /** One or more. */
  exclude: QueryNode[];
  span: SourceSpan;
}

/** `base RANK boost…`: base decides the hits, boosts only add score (ES: must + should). */
export interface RankNode {
  kind: 'rank';
  /** Never itself a `rank` (that would be merged into `boosts`). */
  base: QueryNode;
  /** One or more. */
  boosts: QueryNode[];
  span: SourceSpan;
}

export type QueryNode = TermNode | AndNode | OrNode | AndNotNode | RankNode;

export type BooleanOperator = 'AND' | 'OR' | 'ANDNOT' | 'RANK';
export const BOOLEAN_OPERATORS: readonly BooleanOperator[] = ['AND', 'OR', 'ANDNOT', 'RANK'];

/** Binding strength, higher binds tighter: `()` > ANDNOT > AND > OR > RANK. */
export const PRECEDENCE: Readonly<Record<QueryNode['kind'], number>> = {
  rank: 1,
  or: 2,
  and: 3,
  andNot: 4,
  term: 5,
};

/** Every term, in source order, with whether it sits in an ANDNOT exclusion (a negated clause). */
export function collectTerms(node: QueryNode): Array<{ term: TermNode; negated: boolean }> {
  const out: Array<{ term: TermNode; negated: boolean }> = [];
  // Explicit stack: the tree is shallow after normalisation, but consumers should not have to care.
  const stack: Array<{ node: QueryNode; negated: boolean }> = [{ node, negated: false }];
  while (stack.length > 0) {
    const { node: current, negated } = stack.pop()!;
    switch (current.kind) {
      case 'term':
        out.push({ term: current, negated });
        break;
      case 'and':
      case 'or':
        for (let i = current.operands.length - 1; i >= 0; i--) {
          stack.push({ node: current.operands[i]!, negated });
        }
        break;
      case 'andNot':
        for (let i = current.exclude.length - 1; i >= 0; i--) {
          stack.push({ node: current.exclude[i]!, negated: !negated });
        }
        stack.push({ node: current.include, negated });
        break;
      case 'rank':
        for (let i = current.boosts.length - 1; i >= 0; i--) {
          stack.push({ node: current.boosts[i]!, negated });
        }
        stack.push({ node: current.base, negated });
        break;
    }
  }
  return out;
}

/** A structural copy without spans: what two parses of equivalent text must agree on. */
export function stripSpans(node: QueryNode): unknown {
  switch (node.kind) {
    case 'term':
      return { kind: 'term', domain: node.domain, text: node.text, phrase: node.phrase };
    case 'and':
    case 'or':
      return { kind: node.kind, operands: node.operands.map(stripSpans) };
    case 'andNot':
      return {
        kind: 'andNot',
        include: stripSpans(node.include),
        exclude: node.exclude.map(stripSpans),
      };
    case 'rank':
      return { kind: 'rank', base: stripSpans(node.base), boosts: node.boosts.map(stripSpans) };
  }
}
