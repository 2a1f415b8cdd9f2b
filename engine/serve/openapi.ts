/**
 * The OpenAPI 3.0 document of the search API, generated from the same zod schemas that validate
 * requests and shape responses (engine/search request/response schemas), so it cannot drift.
 * Served at /docs/openapi.json, with a small self-contained HTML page at /docs.
 */
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { SearchRequestSchema } from '../search/request-schema.ts';
import { SearchResponseSchema, SpuResultSchema } from '../search/response-schema.ts';
import { ApiErrorSchema } from './api-errors.ts';
import {
  RangeFiltersSchema,
  StorefrontResponseSchema,
  StorefrontSpuSchema,
} from './storefront-v1.ts';
import { TENANT_HEADER, TENANT_QUERY_PARAM } from './tenant.ts';

/** POST /search body: a search request; the tenant comes from the header or query parameter. */
export const SearchApiRequestSchema = SearchRequestSchema.omit({ tenantId: true });
/** The `request` part of POST /search/image: the same options, without the vector. */
export const ImageSearchOptionsSchema = SearchApiRequestSchema.omit({ imageVector: true });

/**
 * POST /v1/search body (seed §8.3): the same request with the seed's snake_case keys;
 * `skuFilterDimension` stays accepted as an alias (one of the two).
 */
export const StorefrontRequestSchema = SearchApiRequestSchema.extend({
  sku_filter_dimension: SearchApiRequestSchema.shape.skuFilterDimension,
  range_filters: RangeFiltersSchema.optional(),
});
export const StorefrontImageOptionsSchema = StorefrontRequestSchema.omit({ imageVector: true });

const HealthCheckSchema = z.object({ ok: z.boolean(), detail: z.string() });
export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  index: z.string(),
  checks: z.object({
    elasticsearch: HealthCheckSchema,
    index: HealthCheckSchema,
    textModel: HealthCheckSchema,
    imageModel: HealthCheckSchema,
  }),
  bundle: z.object({ name: z.string(), createdAt: z.string(), bundleVersion: z.number() }),
});

type JsonObject = Record<string, unknown>;

function componentSchema(schema: z.ZodTypeAny): JsonObject {
  const json = zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as JsonObject;
  delete json.$schema;
  return json;
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

const jsonContent = (name: string): JsonObject => ({ 'application/json': { schema: ref(name) } });

function errorResponses(...statuses: number[]): JsonObject {
  const descriptions: Record<number, string> = {
    400: 'Invalid input: the message names the field (`filters.min_price.gte …`), or the tenant is missing',
    404: 'Not found',
    408: 'The request (headers or body) did not arrive within the server timeouts; the connection is closed',
    413: 'Body, upload or multipart part too large',
    414: 'URL too long',
    415: 'Unsupported content type',
    431: 'Request headers too large',
    502: 'Elasticsearch failed or is not reachable',
    503: 'Not ready (see /health)',
    504: 'Elasticsearch did not answer in time',
    500: 'Internal error (no details are given to clients; see the server log)',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: descriptions[status], content: jsonContent('Error') },
    ]),
  );
}

const tenantParameters: JsonObject[] = [
  {
    name: 'X-Tenant-ID',
    in: 'header',
    required: false,
    description: `Tenant whose products are searched. Required unless ?${TENANT_QUERY_PARAM}= is given (header name is case-insensitive: ${TENANT_HEADER}).`,
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
  {
    name: TENANT_QUERY_PARAM,
    in: 'query',
    required: false,
    description: 'Tenant, when the header cannot be set. If both are given they must agree.',
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
];

const documentParameters: JsonObject[] = [
  ...tenantParameters,
  {
    name: 'spu_id',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 256 },
  },
];

/** multipart body of the image routes; `options` names the schema of the `request` part. */
function imageUploadContent(options: string): JsonObject {
  return {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['image'],
        properties: {
          image: {
            type: 'string',
            format: 'binary',
            description: 'JPEG, PNG, WebP, GIF, AVIF or TIFF',
          },
          request: {
            type: 'string',
            description: `Optional JSON of ${options} (text query, filters, facets, size …)`,
          },
        },
      },
    },
  };
}

export interface OpenApiInfo {
  title?: string;
  version?: string;
  description?: string;
}

export function buildOpenApiDocument(info: OpenApiInfo = {}): JsonObject {
  return {
    openapi: '3.0.3',
    info: {
      title: info.title ?? 'Relevance Workbench search API',
      version: info.version ?? '0.1.0',
      description:
        info.description ??
        'Production search over an exported Relevance Workbench bundle: multilingual hybrid (BM25 + kNN) search, image search, facets, and product lookup. Every request is scoped to one tenant.',
    },
    paths: {
      '/search': {
        post: {
          operationId: 'search',
          summary: 'Search products (query syntax: domains `title:…`, AND/OR/ANDNOT/RANK, phrases)',
          parameters: tenantParameters,
          requestBody: { required: true, content: jsonContent('SearchRequest') },
          responses: {
            '200': {
              description: 'Results, facets and query info',
              content: jsonContent('SearchResponse'),
            },
            ...errorResponses(400, 408, 413, 414, 415, 431, 500, 502, 504),
          },
        },
      },
      '/search/image': {
        post: {
          operationId: 'searchByImage',
          summary:
            'Search products by an uploaded image (image tower → nested kNN on image_embedding)',
          parameters: tenantParameters,
          requestBody: { required: true, content: imageUploadContent('ImageSearchOptions') },
          responses: {
            '200': { description: 'Results', content: jsonContent('SearchResponse') },
            ...errorResponses(400, 408, 413, 414, 415, 431, 500, 502, 504),
          },
        },
      },
      '/documents/{spu_id}': {
        get: {
          operationId: 'getDocument',
          summary: "One product of the tenant (another tenant's product is 404 like a missing one)",
          parameters: documentParameters,
          responses: {
            '200': { description: 'The product', content: jsonContent('SpuResult') },
            ...errorResponses(400, 404, 408, 414, 431, 500, 502, 504),
          },
        },
      },
      '/v1/search': {
        post: {
          operationId: 'searchV1',
          summary:
            'Search products, seed storefront shape (§8.1/§8.3): snake_case request, results with `title` and `skus[].sku`; suggestions/related_searches from the rewrite dictionary',
          parameters: tenantParameters,
          requestBody: { required: true, content: jsonContent('StorefrontSearchRequest') },
          responses: {
            '200': {
              description: 'Results in the seed shape, plus the workbench fields',
              content: jsonContent('StorefrontSearchResponse'),
            },
            ...errorResponses(400, 408, 413, 414, 415, 431, 500, 502, 504),
          },
        },
      },
      '/v1/search/image': {
        post: {
          operationId: 'searchByImageV1',
          summary: 'Image search, seed storefront shape: `request` part as StorefrontImageOptions',
          parameters: tenantParameters,
          requestBody: { required: true, content: imageUploadContent('StorefrontImageOptions') },
          responses: {
            '200': { description: 'Results', content: jsonContent('StorefrontSearchResponse') },
            ...errorResponses(400, 408, 413, 414, 415, 431, 500, 502, 504),
          },
        },
      },
      '/v1/documents/{spu_id}': {
        get: {
          operationId: 'getDocumentV1',
          summary: 'One product of the tenant, seed storefront shape',
          parameters: documentParameters,
          responses: {
            '200': { description: 'The product', content: jsonContent('StorefrontSpuResult') },
            ...errorResponses(400, 404, 408, 414, 431, 500, 502, 504),
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Elasticsearch reachable, index present and compatible, models loaded',
          responses: {
            '200': { description: 'Ready', content: jsonContent('Health') },
            '503': {
              description: 'Not ready: see which check failed',
              content: jsonContent('Health'),
            },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics: requests by route and status, latency histograms per stage',
          responses: {
            '200': {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/docs/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: {
            '200': {
              description: 'OpenAPI 3.0 document',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        SearchRequest: componentSchema(SearchApiRequestSchema),
        ImageSearchOptions: componentSchema(ImageSearchOptionsSchema),
        SearchResponse: componentSchema(SearchResponseSchema),
        SpuResult: componentSchema(SpuResultSchema),
        StorefrontSearchRequest: componentSchema(StorefrontRequestSchema),
        StorefrontImageOptions: componentSchema(StorefrontImageOptionsSchema),
        StorefrontSearchResponse: componentSchema(StorefrontResponseSchema),
        StorefrontSpuResult: componentSchema(StorefrontSpuSchema),
        Health: componentSchema(HealthResponseSchema),
        Error: componentSchema(ApiErrorSchema),
      },
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A plain page listing the operations, with the schemas expandable; no scripts, no CDN. */
export function renderDocsPage(document: JsonObject): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<
    string,
    Record<string, { summary?: string; operationId?: string }>
  >;
  const rows = Object.entries(paths)
    .flatMap(([route, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) =>
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(route)}</code></td><td>${escapeHtml(operation.summary ?? '')}</td></tr>`,
      ),
    )
    .join('\n');
  const schemas = Object.entries((document.components as { schemas: JsonObject }).schemas)
    .map(
      ([name, schema]) =>
        `<details><summary>${escapeHtml(name)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td{padding:.25rem .75rem;border-bottom:1px solid #ddd;vertical-align:top}pre{background:#f6f6f6;padding:.75rem;overflow:auto}</style>
</head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>Tenant: every search and document request needs the <code>X-Tenant-ID</code> header or <code>?tenant_id=</code>. Errors are JSON <code>{code, message, details}</code>.</p>
<p>Machine-readable: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.0).</p>
<table>${rows}</table>
<h2>Schemas</h2>
${schemas}
</body></html>
`;
}
