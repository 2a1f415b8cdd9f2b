/**
 * Reading the multipart body of POST /search/image: one `image` file part and an optional
 * `request` JSON part. Everything that can go wrong while parsing the body is the client's doing
 * (no boundary, a body that ends inside a part, a header that is not one, too many or too large
 * parts), so every parse failure becomes a 4xx in the API's shape — busboy's plain Errors included.
 */
import type { FastifyRequest } from 'fastify';
import { RwbError } from '../errors.ts';
import { ClientRequestError, invalidInput } from './api-errors.ts';
import { MULTIPART_OVERHEAD_BYTES } from './limits.ts';

export interface ImageUpload {
  image: Buffer;
  options: Record<string, unknown>;
}

/** @fastify/multipart's limit errors (FST_*_LIMIT, FST_REQ_FILE_TOO_LARGE) carry 413. */
function tooLarge(code: string | undefined, maxImageBytes: number): ClientRequestError {
  const what =
    code === 'FST_REQ_FILE_TOO_LARGE'
      ? `image: larger than ${maxImageBytes} bytes`
      : code === 'FST_FILES_LIMIT'
        ? 'Only one file part (image) is accepted'
        : code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT'
          ? 'Too many parts; send one "image" file part and at most one "request" part'
          : 'The multipart body is too large';
  return new ClientRequestError(413, 'PAYLOAD_TOO_LARGE', what, { where: 'body' });
}

/** A failure while the body was being parsed, as the client's error. */
function uploadError(err: unknown, maxImageBytes: number): RwbError {
  if (err instanceof RwbError) return err;
  const failure = err as { code?: string; statusCode?: number; message?: string };
  if (failure.statusCode === 413) return tooLarge(failure.code, maxImageBytes);
  const reason = failure.message ?? String(err);
  return new ClientRequestError(400, 'INVALID_INPUT', `Malformed multipart body: ${reason}`, {
    where: 'body',
  });
}

async function readParts(request: FastifyRequest): Promise<ImageUpload> {
  let image: Buffer | null = null;
  let options: Record<string, unknown> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume();
        throw invalidInput(
          `Unexpected file part "${part.fieldname}"; the image goes in the "image" part`,
          part.fieldname,
        );
      }
      image = await part.toBuffer();
    } else if (part.fieldname === 'request') {
      if (part.valueTruncated)
        throw new ClientRequestError(413, 'PAYLOAD_TOO_LARGE', 'request: the part is too large', {
          where: 'request',
        });
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(part.value));
      } catch (err) {
        throw invalidInput(`request: not valid JSON (${(err as Error).message})`, 'request');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw invalidInput('request: must be a JSON object of search options', 'request');
      }
      options = parsed as Record<string, unknown>;
    } else {
      throw invalidInput(
        `Unexpected form field "${part.fieldname}" (allowed: image, request)`,
        part.fieldname,
      );
    }
  }
  if (image === null || image.length === 0)
    throw invalidInput('image: the "image" file part is missing or empty', 'image');
  return { image, options };
}

export async function readImageUpload(
  request: FastifyRequest,
  maxImageBytes: number,
): Promise<ImageUpload> {
  if (!request.isMultipart()) {
    throw new RwbError(
      'INVALID_INPUT',
      'POST /search/image takes multipart/form-data with an "image" file part',
      { where: 'body' },
    );
  }
  // A declared length past what any acceptable upload needs is refused before reading a byte.
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxImageBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new ClientRequestError(
      413,
      'PAYLOAD_TOO_LARGE',
      `The body (${declared} bytes) is larger than an image of at most ${maxImageBytes} bytes needs`,
      { where: 'body' },
    );
  }
  try {
    return await readParts(request);
  } catch (err) {
    throw uploadError(err, maxImageBytes);
  }
}
