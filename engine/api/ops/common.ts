import { z } from 'zod';

/** ES index names: lowercase, no spaces or the characters ES forbids; not a pattern. */
export const IndexNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase ES index name (a-z, 0-9, ".", "_", "-"; no wildcards)');

export const TenantIdSchema = z.string().trim().min(1, 'choose a tenant').max(64);
