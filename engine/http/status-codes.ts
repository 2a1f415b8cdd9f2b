import type { ErrorCode } from '../errors.ts';

/** The HTTP status an error code answers with in browser mode. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'INVALID_CONFIG':
    case 'PARSE_ERROR':
    case 'BAD_ROW':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'CANCELLED':
      return 409;
    case 'ES_ERROR':
      return 502;
    case 'ES_UNREACHABLE':
    case 'ES_RUNTIME':
    case 'JAVA_MISSING':
    case 'MYSQL_ERROR':
    case 'MODEL_ERROR':
    case 'DOWNLOAD_FAILED':
    case 'STORE_BUSY':
      return 503;
    case 'INTERNAL':
      return 500;
  }
}
