/**
 * The tenant of a production request: `X-Tenant-ID` header or `?tenant_id=` — required, validated
 * like the search request's tenantId, and never taken from the body (a body field could be set by
 * whatever builds the body; the header is set by the shop's own gateway).
 *
 * Read the header from Node's `headersDistinct`: plain `headers` joins a repeated header into
 * "1, 2", which would hide that two tenants were named. Header bytes outside ASCII are refused:
 * Node reads them as Latin-1, so a UTF-8 tenant id would arrive as a different string.
 */
import { TenantIdSchema } from '../search/request-schema.ts';
import { describeZodIssue } from '../config/config-issues.ts';
import { invalidInput } from './api-errors.ts';

export const TENANT_HEADER = 'x-tenant-id';
export const TENANT_QUERY_PARAM = 'tenant_id';

type HeaderValue = string | string[] | undefined;

function single(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalidInput(`${where} is given more than once`, 'tenant');
    return single(value[0], where);
  }
  if (typeof value !== 'string') throw invalidInput(`${where} must be a string`, 'tenant');
  return value;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function tenantFromRequest(
  headers: Readonly<Record<string, HeaderValue>>,
  query: unknown,
): string {
  const header = single(headers[TENANT_HEADER], 'X-Tenant-ID');
  if (header !== undefined && !PRINTABLE_ASCII.test(header)) {
    throw invalidInput(
      'X-Tenant-ID must be printable ASCII; send another tenant id URL-encoded in ?tenant_id=',
      'tenant',
    );
  }
  const queryValue =
    query !== null && typeof query === 'object' && Object.hasOwn(query, TENANT_QUERY_PARAM)
      ? single((query as Record<string, unknown>)[TENANT_QUERY_PARAM], `?${TENANT_QUERY_PARAM}`)
      : undefined;
  if (header !== undefined && queryValue !== undefined && header !== queryValue) {
    throw invalidInput(
      `X-Tenant-ID ("${header}") and ?tenant_id= ("${queryValue}") disagree; send one`,
      'tenant',
    );
  }
  const tenant = header ?? queryValue;
  if (tenant === undefined) {
    throw invalidInput(
      'The tenant is required: send the X-Tenant-ID header or the ?tenant_id= query parameter',
      'tenant',
    );
  }
  const parsed = TenantIdSchema.safeParse(tenant);
  if (!parsed.success) {
    const where = header !== undefined ? 'X-Tenant-ID' : `?${TENANT_QUERY_PARAM}`;
    throw invalidInput(`${where} ${describeZodIssue(parsed.error.issues[0]!)}`, 'tenant');
  }
  return parsed.data;
}
