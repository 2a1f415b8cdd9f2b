/**
 * The API's view of engine/es: clients come from createEsClient, errors from esErrorToRwb, except
 * that a missing index is NOT_FOUND (a screen shows "ingest first", not "cluster broken").
 */
import { errors } from '@elastic/elasticsearch';
import { esErrorToRwb } from '../es/client.ts';
import { RwbError } from '../errors.ts';

export { createEsClient } from '../es/client.ts';

export function esError(err: unknown, what: string, url: string): RwbError {
  if (err instanceof errors.ResponseError && err.statusCode === 404) {
    const body = err.body as { error?: { type?: string; reason?: string } } | undefined;
    if (body?.error?.type === 'index_not_found_exception') {
      return new RwbError('NOT_FOUND', `${what}: ${body.error.reason ?? 'no such index'} (ingest a catalog first)`, { url }, { cause: err });
    }
  }
  return esErrorToRwb(err, url, what);
}
