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

/**
 * Each header's values as sent, one entry per occurrence. Node's `headersDistinct` gives that; a
 * request object without it (fastify's inject) is rebuilt from `rawHeaders`, then `headers`.
 */
export function distinctHeaders(raw: {
  headersDistinct?: Record<string, string[] | undefined>;
  rawHeaders?: string[];
  headers: Readonly<Record<string, HeaderValue>>;
}): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw.headersDistinct !== undefined) {
    for (const [name, values] of Object.entries(raw.headersDistinct))
      if (values !== undefined) out.set(name, values);
    return out;
  }
  if (raw.rawHeaders !== undefined && raw.rawHeaders.length > 0) {
    for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
      const name = raw.rawHeaders[i]!.toLowerCase();
      out.set(name, [...(out.get(name) ?? []), raw.rawHeaders[i + 1]!]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(raw.headers))
    if (value !== undefined) out.set(name, Array.isArray(value) ? value : [value]);
  return out;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function tenantFromRequest(
  headers: ReadonlyMap<string, readonly string[]> | Readonly<Record<string, HeaderValue>>,
  query: unknown,
): string {
  const headerValue =
    headers instanceof Map
      ? headers.get(TENANT_HEADER)
      : Object.hasOwn(headers, TENANT_HEADER)
        ? (headers as Readonly<Record<string, HeaderValue>>)[TENANT_HEADER]
        : undefined;
  const header = single(headerValue, 'X-Tenant-ID');
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
