/** Tenant extraction and the API's error replies (status, code, no internals leaked). */
import { errors as esErrors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { esErrorToRwb } from '../../engine/es/client.ts';
import { RwbError } from '../../engine/errors.ts';
import { apiErrorReply } from '../../engine/serve/api-errors.ts';
import { distinctHeaders, tenantFromRequest } from '../../engine/serve/tenant.ts';

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RwbError);
    expect((err as RwbError).code).toBe('INVALID_INPUT');
    return (err as RwbError).message;
  }
  throw new Error('expected a rejection');
};

describe('tenantFromRequest', () => {
  it('takes the header or the query parameter', () => {
    expect(tenantFromRequest({ 'x-tenant-id': 'shop-1' }, {})).toBe('shop-1');
    expect(tenantFromRequest({}, { tenant_id: 'shop-2' })).toBe('shop-2');
    expect(tenantFromRequest({ 'x-tenant-id': 'same' }, { tenant_id: 'same' })).toBe('same');
  });

  it('rejects a missing, empty, padded, repeated or conflicting tenant', () => {
    expect(messageOf(() => tenantFromRequest({}, {}))).toBe(
      'The tenant is required: send the X-Tenant-ID header or the ?tenant_id= query parameter',
    );
    expect(messageOf(() => tenantFromRequest({ 'x-tenant-id': '' }, {}))).toBe(
      'X-Tenant-ID must not be empty',
    );
    expect(messageOf(() => tenantFromRequest({ 'x-tenant-id': ' a' }, {}))).toMatch(
      /^X-Tenant-ID must not start or end with spaces/,
    );
    expect(messageOf(() => tenantFromRequest({}, { tenant_id: 'x'.repeat(65) }))).toMatch(
      /^\?tenant_id must be at most 64 characters/,
    );
    expect(messageOf(() => tenantFromRequest({}, { tenant_id: ['a', 'b'] }))).toBe(
      '?tenant_id is given more than once',
    );
    expect(messageOf(() => tenantFromRequest({ 'x-tenant-id': 'a' }, { tenant_id: 'b' }))).toMatch(
      /disagree/,
    );
  });
});

describe('tenantFromRequest with headers as sent', () => {
  it('sees a repeated X-Tenant-ID that Node would join into one value', () => {
    const repeated = distinctHeaders({
      rawHeaders: ['X-Tenant-ID', '1', 'x-tenant-id', '2'],
      headers: { 'x-tenant-id': '1, 2' },
    });
    expect(repeated.get('x-tenant-id')).toEqual(['1', '2']);
    expect(messageOf(() => tenantFromRequest(repeated, {}))).toBe(
      'X-Tenant-ID is given more than once',
    );
    const fromNode = distinctHeaders({
      headersDistinct: { 'x-tenant-id': ['a'] },
      headers: { 'x-tenant-id': 'ignored' },
    });
    expect(tenantFromRequest(fromNode, {})).toBe('a');
  });

  it('refuses header bytes outside printable ASCII (Node reads them as Latin-1)', () => {
    const latin1OfUtf8 = Buffer.from('租户', 'utf8').toString('latin1');
    for (const value of [latin1OfUtf8, 'caf\u00e9', 'a\u007fb']) {
      expect(messageOf(() => tenantFromRequest(new Map([['x-tenant-id', [value]]]), {}))).toMatch(
        /^X-Tenant-ID must be printable ASCII/,
      );
    }
    // The query string is percent-decoded UTF-8: a non-ASCII tenant id is fine there.
    expect(tenantFromRequest(new Map(), { tenant_id: '租户' })).toBe('租户');
  });

  it('does not read a tenant from inherited members of the query object', () => {
    const query = Object.create({ tenant_id: 'inherited' }) as object;
    expect(messageOf(() => tenantFromRequest({}, query))).toMatch(/tenant is required/);
  });
});

describe('apiErrorReply', () => {
  const url = 'http://10.0.0.7:9200';
  const meta = {
    body: { error: { type: 'index_not_found_exception', reason: 'no such index [shop]' } },
    statusCode: 404,
    headers: {},
    meta: {} as never,
    warnings: null,
  };

  it('maps input problems to 400/404 with their details', () => {
    const invalid = new RwbError('INVALID_INPUT', 'Invalid search request: size must be >= 0', {
      issues: [{ path: 'size', message: 'must be >= 0' }],
      secretInternal: 'x',
    });
    expect(apiErrorReply(invalid)).toEqual({
      status: 400,
      body: {
        code: 'INVALID_INPUT',
        message: invalid.message,
        details: { issues: [{ path: 'size', message: 'must be >= 0' }] },
      },
      serverFault: false,
    });
    expect(
      apiErrorReply(new RwbError('PARSE_ERROR', 'Unbalanced ( at 3', { position: 3 })).status,
    ).toBe(400);
    expect(apiErrorReply(new RwbError('NOT_FOUND', 'no product')).status).toBe(404);
  });

  it('answers 504 for an ES timeout and 502 for refusal or ES errors, without the cluster URL', () => {
    const timeout = esErrorToRwb(new esErrors.TimeoutError('Request timed out'), url, 'searching');
    expect(apiErrorReply(timeout, [url])).toMatchObject({
      status: 504,
      body: { code: 'ES_TIMEOUT' },
      serverFault: true,
    });
    const refused = esErrorToRwb(
      new esErrors.ConnectionError('connect ECONNREFUSED'),
      url,
      'searching',
    );
    const refusedReply = apiErrorReply(refused, [url]);
    expect(refusedReply).toMatchObject({ status: 502, body: { code: 'ES_UNREACHABLE' } });
    expect(JSON.stringify(refusedReply.body)).not.toContain('10.0.0.7');
    const failed = esErrorToRwb(
      new esErrors.ResponseError(meta as never),
      url,
      'searching index shop',
    );
    const failedReply = apiErrorReply(failed, [url]);
    expect(failedReply.status).toBe(502);
    expect(failedReply.body.code).toBe('ES_ERROR');
    expect(failedReply.body.message).toContain('index_not_found_exception: no such index [shop]');
    expect(JSON.stringify(failedReply.body)).not.toContain('10.0.0.7');
  });

  it('hides internal errors behind a generic message', () => {
    const reply = apiErrorReply(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(reply).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'Internal error in the search service' },
      serverFault: true,
    });
  });
});
