/**
 * Explain mode: the score of a hit split into lexical (per field), kNN (text, image) and function
 * parts, read from the Lucene explanation tree ES returns with `explain: true`.
 *
 * The walk follows how each node combines its children, so the parts add up to the node's value:
 *  - `sum of` adds; `max of` keeps the best child; `max plus T times others of` (dis_max,
 *    best_fields) keeps the best child and T × the others;
 *  - `weight(field:term …)` leaves are BM25 scores of one field (boosts are already inside);
 *    `weight(CombinedFieldQuery((a b^2.0)(term)) …)` (combined_fields, BM25F over the fields as
 *    one) cannot be split, so it is reported under the fields joined by `+` (`a+b`);
 *  - a childless `field:prefix*` leaf is a constant-score term of one field (bool_prefix's last
 *    word, phrase_prefix's expansions are weight leaves);
 *  - `within top k documents` is a kNN clause; under `Score based on N child docs` (nested) it is
 *    the image kNN on image_embedding, otherwise the text kNN;
 *  - a function_score node is `[query explanation, min of: [functions…, maxBoost]]`: the query
 *    part is walked, and what the functions changed (node − query) is the function part; a lone
 *    `min of: […, maxBoost]` (boost_mode replace, the expression's additive signals) is all function.
 * A node of any other shape has its children's parts scaled to its value, and a leaf that is none
 * of the above (match_all, constant score) is `other`.
 */
import { emptyRecord } from '../own.ts';
import type { estypes } from '@elastic/elasticsearch';
import type { ScoreBreakdown } from './response-schema.ts';

interface Parts {
  fields: Map<string, number>;
  knnText: number;
  knnImage: number;
  functions: number;
  other: number;
}

const emptyParts = (): Parts => ({
  fields: new Map(),
  knnText: 0,
  knnImage: 0,
  functions: 0,
  other: 0,
});

function partsSum(parts: Parts): number {
  let sum = parts.knnText + parts.knnImage + parts.functions + parts.other;
  for (const value of parts.fields.values()) sum += value;
  return sum;
}

function addInto(target: Parts, source: Parts, factor = 1): void {
  for (const [field, value] of source.fields)
    target.fields.set(field, (target.fields.get(field) ?? 0) + value * factor);
  target.knnText += source.knnText * factor;
  target.knnImage += source.knnImage * factor;
  target.functions += source.functions * factor;
  target.other += source.other * factor;
}

const WEIGHT_LEAF = /^weight\((?:Synonym\()?([^:\s()"]+):/;
const COMBINED_LEAF = /^weight\(CombinedFieldQuery\(\(([^)]*)\)/;
const CONSTANT_TERM_LEAF = /^([A-Za-z_][\w.]*):\S/;
const MAX_PLUS = /^max plus ([0-9.eE+-]+) times others of/;
const NESTED_SCORE = /^Score based on \d+ child docs/;

function isFunctionFactor(node: estypes.ExplainExplanationDetail): boolean {
  const details = node.details ?? [];
  return (
    node.description.startsWith('min of') &&
    details.length >= 2 &&
    details[details.length - 1]!.description === 'maxBoost'
  );
}

function walk(node: estypes.ExplainExplanationDetail, inNested: boolean): Parts {
  const parts = emptyParts();
  const value = node.value;
  if (value === 0 || !Number.isFinite(value)) return parts;
  const description = node.description;
  const details = node.details ?? [];

  if (description.startsWith('within top')) {
    if (inNested) parts.knnImage = value;
    else parts.knnText = value;
    return parts;
  }
  const leaf = WEIGHT_LEAF.exec(description);
  if (leaf !== null) {
    parts.fields.set(leaf[1]!, value);
    return parts;
  }
  const combined = COMBINED_LEAF.exec(description);
  if (combined !== null) {
    const fields = combined[1]!.split(/\s+/).map((field) => field.replace(/\^[0-9.eE+-]+$/, ''));
    parts.fields.set(fields.join('+'), value);
    return parts;
  }
  if (details.length === 0) {
    const constant = CONSTANT_TERM_LEAF.exec(description);
    if (constant !== null) {
      parts.fields.set(constant[1]!, value);
      return parts;
    }
  }
  if (isFunctionFactor(node)) {
    parts.functions = value;
    return parts;
  }
  if (details.length === 2 && isFunctionFactor(details[1]!)) {
    const query = walk(details[0]!, inNested);
    addInto(parts, query);
    parts.functions += value - partsSum(query);
    return parts;
  }
  if (details.length === 0) {
    parts.other = value;
    return parts;
  }

  const nested = inNested || NESTED_SCORE.test(description);
  const children = details.map((child) => walk(child, nested));
  if (description === 'sum of:' || description === 'sum of') {
    children.forEach((child) => addInto(parts, child));
  } else if (/^max of:?$/.test(description) || MAX_PLUS.test(description)) {
    const tie = Number(MAX_PLUS.exec(description)?.[1] ?? 0);
    let best = 0;
    details.forEach((child, i) => {
      if (child.value > details[best]!.value) best = i;
    });
    children.forEach((child, i) => addInto(parts, child, i === best ? 1 : tie));
  } else {
    children.forEach((child) => addInto(parts, child));
  }
  // Whatever the combination, the parts must add up to this node's value.
  const sum = partsSum(parts);
  if (sum === 0) return { ...emptyParts(), other: value };
  if (Math.abs(sum - value) > 1e-9 * Math.max(1, Math.abs(value))) {
    const scaled = emptyParts();
    addInto(scaled, parts, value / sum);
    return scaled;
  }
  return parts;
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export function scoreBreakdown(explanation: estypes.ExplainExplanation): ScoreBreakdown {
  const parts = walk(explanation, false);
  const fields = emptyRecord<number>();
  let lexical = 0;
  for (const [field, value] of [...parts.fields].sort((a, b) => b[1] - a[1])) {
    if (value === 0) continue;
    fields[field] = round(value);
    lexical += value;
  }
  return {
    total: round(explanation.value),
    lexical: { total: round(lexical), fields },
    knn: { text: round(parts.knnText), image: round(parts.knnImage) },
    functions: round(parts.functions),
    other: round(parts.other),
  };
}
