/**
 * `rwb serve`'s multipart endpoint (POST /search/image) against broken and hostile uploads over
 * raw sockets, real ES behind it: no boundary, a body that ends inside a part or never closes, a
 * part that never ends (the request timeout answers), part headers that are not headers, wrong part
 * names, a `request` part that is not JSON or too large, two files, an oversize image or declared
 * length. Every answer is a 4xx in the API's error shape, nothing is logged as a server fault, and
 * the server answers /health after each.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { closingRequest, rawExchange, requestHead } from '../helpers/raw-http.ts';
import { expectAlive, expectApiError } from '../helpers/serve-assertions.ts';
import { createServeFixture, type ServeFixture } from '../helpers/serve-fixture.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];
const BOUNDARY = 'rwbBoundary7MA4YWxk';
const MAX_IMAGE = 64 * 1024;

let fixture: ServeFixture;
let api: RunningSearchApi;
let port: number;
const log: string[] = [];

function multipart(
  parts: Array<{ headers: string[]; body: string | Buffer }>,
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body) : part.body);
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const imagePart = (name = 'image', body: string | Buffer = 'not really a png') => ({
  headers: [
    `Content-Disposition: form-data; name="${name}"; filename="a.png"`,
    'Content-Type: image/png',
  ],
  body,
});

const uploadRequest = (body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
  closingRequest('POST', '/search/image', ['X-Tenant-ID: 1', `Content-Type: ${contentType}`], body);

describeWith(missing, 'rwb serve: malformed and oversize multipart uploads get 4xx answers', () => {
  beforeAll(async () => {
    fixture = await createServeFixture('serve-multipart');
    api = await startSearchApi({
      bundle: fixture.bundle,
      es: { url: esUrl() },
      port: 0,
      embedder: null,
      translator: null,
      maxImageBytes: MAX_IMAGE,
      requestTimeoutMs: 1000,
      log: (line) => log.push(line),
    });
    port = Number(new URL(api.url).port);
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await fixture?.cleanup();
  });

  it('answers a multipart part that never ends with 408 and closes', async () => {
    const body = multipart([imagePart()], false);
    const head = requestHead('POST /search/image HTTP/1.1', [
      'X-Tenant-ID: 1',
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
      `Content-Length: ${body.length + 5000}`,
    ]);
    expectApiError(await rawExchange(port, head, body), 408, 'REQUEST_TIMEOUT');
    await expectAlive(api);
  });

  it('answers malformed multipart bodies with 400 and oversize ones with 413, never 500', async () => {
    const cases: Array<[string, Buffer, number, string, RegExp?]> = [
      [
        'no boundary',
        uploadRequest(multipart([imagePart()]), 'multipart/form-data'),
        400,
        'INVALID_INPUT',
        /multipart/i,
      ],
      [
        'truncated inside a part',
        uploadRequest(multipart([imagePart()], false).subarray(0, 90)),
        400,
        'INVALID_INPUT',
        /multipart/i,
      ],
      [
        'no closing boundary',
        uploadRequest(multipart([imagePart()], false)),
        400,
        'INVALID_INPUT',
        /multipart/i,
      ],
      ['no parts at all', uploadRequest(Buffer.from('just some bytes\r\n')), 400, 'INVALID_INPUT'],
      [
        'a part header without a colon',
        uploadRequest(multipart([{ headers: ['this is not a header'], body: 'x' }])),
        400,
        'INVALID_INPUT',
      ],
      [
        'a file part with the wrong name',
        uploadRequest(multipart([imagePart('photo')])),
        400,
        'INVALID_INPUT',
        /"photo"/,
      ],
      [
        'an unknown field',
        uploadRequest(
          multipart([
            imagePart(),
            { headers: ['Content-Disposition: form-data; name="tenantId"'], body: '2' },
          ]),
        ),
        400,
        'INVALID_INPUT',
        /"tenantId"/,
      ],
      [
        'a request part that is not JSON',
        uploadRequest(
          multipart([
            { headers: ['Content-Disposition: form-data; name="request"'], body: '{nope' },
            imagePart(),
          ]),
        ),
        400,
        'INVALID_INPUT',
        /^request: not valid JSON/,
      ],
      [
        'a request part over 64 KiB',
        uploadRequest(
          multipart([
            {
              headers: ['Content-Disposition: form-data; name="request"'],
              body: `{"query":"${'q'.repeat(70_000)}"}`,
            },
            imagePart(),
          ]),
        ),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      ['two files', uploadRequest(multipart([imagePart(), imagePart()])), 413, 'PAYLOAD_TOO_LARGE'],
      [
        'an image over the limit',
        uploadRequest(multipart([imagePart('image', Buffer.alloc(MAX_IMAGE + 1000, 1))])),
        413,
        'PAYLOAD_TOO_LARGE',
        /^image: larger than 65536 bytes/,
      ],
      [
        'a declared length far over the limit',
        Buffer.concat([
          requestHead('POST /search/image HTTP/1.1', [
            'X-Tenant-ID: 1',
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
            'Content-Length: 999999999',
            'Connection: close',
          ]),
          multipart([imagePart()]),
        ]),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    for (const [name, request, status, code, message] of cases) {
      const response = await rawExchange(port, request);
      const text = expectApiError(response, status, code);
      if (message !== undefined) expect(text, name).toMatch(message);
      await expectAlive(api);
    }
    // The refusals were the client's: nothing was logged as a server fault.
    expect(log).toEqual([]);
  });
});
