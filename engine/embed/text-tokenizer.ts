/**
 * Turns texts into BERT input ids the way the bge models expect: optional uncased normalisation,
 * the tokenizer.json pipeline (@huggingface/tokenizers, pure JS), then truncation that keeps the
 * final [SEP] so a long description still ends like a sentence the model was trained on.
 */
import fs from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { RwbError } from '../errors.ts';

export interface TokenizerOptions {
  /** BERT uncased normalisation applied before the tokenizer (lowercase + strip accents). */
  lowercase: boolean;
  /** Longest sequence the model takes, special tokens included. */
  maxTokens: number;
}

export interface TextTokenizer {
  /** Id used to pad batches ([PAD]; masked out, so its value only matters for tidiness). */
  padId: number;
  encode(text: string): number[];
  tokens(text: string): string[];
}

const COMBINING_MARKS = /\p{Mn}/gu;

/** What BERT's BasicTokenizer does with do_lower_case: lowercase, NFD, drop combining marks. */
export function bertUncased(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
}

/** Cuts ids to `maxTokens`, keeping the closing special token of the sequence. */
export function truncateIds(ids: number[], maxTokens: number): number[] {
  if (ids.length <= maxTokens) return ids;
  const closing = ids[ids.length - 1]!;
  const kept = ids.slice(0, maxTokens - 1);
  kept.push(closing);
  return kept;
}

export function createTokenizerFromJson(json: unknown, opts: TokenizerOptions): TextTokenizer {
  const tokenizer = new Tokenizer(json as object, {});
  const prepare = (text: string) => (opts.lowercase ? bertUncased(text) : text);
  return {
    padId: tokenizer.token_to_id('[PAD]') ?? 0,
    encode: (text) => truncateIds(tokenizer.encode(prepare(text)).ids, opts.maxTokens),
    tokens: (text) => tokenizer.encode(prepare(text)).tokens,
  };
}

export async function loadTokenizer(
  tokenizerPath: string,
  opts: TokenizerOptions,
): Promise<TextTokenizer> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(tokenizerPath, 'utf8'));
  } catch (err) {
    throw new RwbError(
      'MODEL_ERROR',
      `Cannot read tokenizer ${tokenizerPath}: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  return createTokenizerFromJson(json, opts);
}
