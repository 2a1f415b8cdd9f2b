/**
 * The exported bundle's shape (see bundle.ts for what it is for). One zod schema per part; the
 * SearchConfig inside is validated by parseSearchConfig (its own schema, versions and rules),
 * so here it is only "an object".
 */
import { z } from 'zod';
import type { SearchConfig } from './search-config-schema.ts';

export const BUNDLE_VERSION = 1;

export const IndexNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[a-z0-9][a-z0-9_.+-]*$/,
    'must be an Elasticsearch index name (lower case, no spaces, not starting with "_", "-" or "+")',
  );

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** The create-index body actually used: mappings/search_products.json with analysis and dims filled. */
export const BundleMappingSchema = z
  .object({
    settings: JsonObjectSchema,
    mappings: z.object({ properties: z.record(z.string(), JsonObjectSchema) }).passthrough(),
  })
  .strict();

export const TemplateParamSchema = z
  .object({
    required: z.boolean(),
    description: z.string(),
  })
  .strict();

/**
 * An ES search template (lang-mustache) rendering the request the query builder makes for a
 * default-domain text query. Store it with `PUT _scripts/<id>` and run it with
 * `GET <index>/_search/template { "id": <id>, "params": {…} }`.
 */
export const BundleSearchTemplateSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be a stored-script id'),
    lang: z.literal('mustache'),
    /** Mustache source: JSON once rendered, not before (sections sit between JSON tokens). */
    source: z.string().min(2),
    params: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), TemplateParamSchema),
    exampleParams: JsonObjectSchema,
    /** What the template covers and what it does not (filters, sort options, explain). */
    notes: z.array(z.string()).default([]),
  })
  .strict();

export const BundleModelsSchema = z
  .object({
    /** Text model (engine/embed registry id) for query vectors; null when text kNN is off. */
    text: z
      .object({ id: z.string().min(1), dims: z.number().int().min(1).max(4096) })
      .strict()
      .nullable(),
    /**
     * Image tower for image queries; `visionModelPath` is where it lived on the exporting machine
     * (`rwb serve --image-model` overrides it). null when image kNN is off.
     */
    image: z
      .object({
        id: z.string().min(1),
        dims: z.number().int().min(1).max(4096).nullable(),
        visionModelPath: z.string().min(1),
      })
      .strict()
      .nullable(),
  })
  .strict();

export const BundleEnvelopeSchema = z
  .object({
    bundleVersion: z.literal(BUNDLE_VERSION),
    createdAt: z.string().datetime({ offset: true }),
    generator: z.string().min(1),
    index: IndexNameSchema,
    config: JsonObjectSchema,
    mapping: BundleMappingSchema,
    searchTemplate: BundleSearchTemplateSchema,
    models: BundleModelsSchema,
  })
  .strict();

export type BundleMapping = z.infer<typeof BundleMappingSchema>;
export type BundleSearchTemplate = z.infer<typeof BundleSearchTemplateSchema>;
export type BundleModels = z.infer<typeof BundleModelsSchema>;

/** A validated bundle: the envelope with a fully validated SearchConfig inside. */
export type Bundle = Omit<z.infer<typeof BundleEnvelopeSchema>, 'config'> & {
  config: SearchConfig;
};
