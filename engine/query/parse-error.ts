import { RwbError } from '../errors.ts';

/** What went wrong, for callers that react differently (the UI offers the domain list, say). */
export type QueryParseErrorKind =
  | 'EMPTY_QUERY'
  | 'TOO_LONG'
  | 'TOO_DEEP'
  | 'UNBALANCED_PAREN'
  | 'EMPTY_GROUP'
  | 'DANGLING_OPERATOR'
  | 'EXPECTED_TERM'
  | 'EMPTY_VALUE'
  | 'UNTERMINATED_PHRASE'
  | 'UNKNOWN_DOMAIN';

export interface QueryParseErrorDetails {
  kind: QueryParseErrorKind;
  /** UTF-16 offset into the parsed text. */
  position: number;
  /** How many characters the problem covers (0 at the end of input). */
  length: number;
  /** What would have been accepted here, in words the user can act on. */
  expected: string[];
  /** The text the position refers to: what the user typed. */
  input: string;
  /** Set when the error was found after the rewrite dictionary changed the query. */
  rewritten?: { input: string; position: number };
}

/** The only error the expression parser throws: code PARSE_ERROR with a position. */
export class QueryParseError extends RwbError {
  declare readonly details: QueryParseErrorDetails;

  constructor(message: string, details: QueryParseErrorDetails) {
    super('PARSE_ERROR', message, details);
    this.name = 'QueryParseError';
  }

  get position(): number {
    return this.details.position;
  }

  get kind(): QueryParseErrorKind {
    return this.details.kind;
  }
}

export function isQueryParseError(err: unknown): err is QueryParseError {
  return err instanceof QueryParseError;
}
