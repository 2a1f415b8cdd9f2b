/**
 * Canonical text of an AST: operators upper case, explicit AND between operands, parentheses only
 * where precedence needs them. Parsing the printed text gives back the same AST (spans aside), which
 * is what lets the UI show "what the engine understood" as an editable query.
 */
import { DEFAULT_DOMAIN, PRECEDENCE, type QueryNode, type TermNode } from './ast.ts';

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

function printTerm(term: TermNode): string {
  const value = term.phrase ? quote(term.text) : term.text;
  return term.domain === DEFAULT_DOMAIN ? value : `${term.domain}:${value}`;
}

/** Prints `child` of `parent`, in parentheses when it binds looser (or equally, if `strict`). */
function printChild(child: QueryNode, parent: QueryNode, strict: boolean): string {
  const text = printQuery(child);
  const childPrecedence = PRECEDENCE[child.kind];
  const parentPrecedence = PRECEDENCE[parent.kind];
  const needsParens = strict
    ? childPrecedence <= parentPrecedence
    : childPrecedence < parentPrecedence;
  return needsParens ? `(${text})` : text;
}

export function printQuery(node: QueryNode): string {
  switch (node.kind) {
    case 'term':
      return printTerm(node);
    case 'and':
      return node.operands.map((operand) => printChild(operand, node, true)).join(' AND ');
    case 'or':
      return node.operands.map((operand) => printChild(operand, node, true)).join(' OR ');
    case 'andNot':
      return [
        printChild(node.include, node, false),
        ...node.exclude.map((operand) => printChild(operand, node, true)),
      ].join(' ANDNOT ');
    case 'rank':
      return [
        printChild(node.base, node, false),
        ...node.boosts.map((operand) => printChild(operand, node, true)),
      ].join(' RANK ');
  }
}
