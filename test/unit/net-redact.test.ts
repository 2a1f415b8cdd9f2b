import { describe, expect, it } from 'vitest';
import {
  redactDeep,
  redactSecrets,
  redactUrl,
  registerSecret,
  urlHasCredentials,
} from '../../engine/net/redact.ts';

const SENTINEL = 'S3NTINEL-pw';

describe('redactUrl', () => {
  it('hides user and password but keeps the rest of the URL as written', () => {
    expect(redactUrl(`http://elastic:${SENTINEL}@es.example:9200`)).toBe(
      'http://***:***@es.example:9200',
    );
    expect(redactUrl(`https://user:${SENTINEL}@host/path?q=1`)).toBe(
      'https://***:***@host/path?q=1',
    );
  });
  it('hides a lone user (it may be a token) and a password holding an unencoded @', () => {
    expect(redactUrl('https://tok3n@host/')).toBe('https://***@host/');
    expect(redactUrl(`http://u:p@${SENTINEL}@host:1`)).toBe('http://***:***@host:1');
  });
  it('hides credential query parameters, any case, and keeps the others', () => {
    const out = redactUrl(
      `http://h/x?q=shoes&api_key=${SENTINEL}&Token=${SENTINEL}&apikey=a&password=b#f`,
    );
    expect(out).toBe('http://h/x?q=shoes&api_key=***&Token=***&apikey=***&password=***#f');
  });
  it('leaves URLs without secrets unchanged', () => {
    for (const url of [
      'http://127.0.0.1:9200',
      'https://es.example/',
      'mysql://db:3306/x?charset=utf8',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
  it('knows when a URL carries credentials', () => {
    expect(urlHasCredentials('http://u:p@h')).toBe(true);
    expect(urlHasCredentials('http://u@h')).toBe(true);
    expect(urlHasCredentials('http://h:9200')).toBe(false);
    expect(urlHasCredentials('http://h/a@b')).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('cleans URLs embedded in a message', () => {
    const msg = `Elasticsearch at http://u:${SENTINEL}@127.0.0.1:1 is not reachable (connect ECONNREFUSED)`;
    const out = redactSecrets(msg);
    expect(out).not.toContain(SENTINEL);
    expect(out).toContain('http://***:***@127.0.0.1:1 is not reachable');
  });
  it('cleans auth headers and given secrets, verbatim and URL-encoded', () => {
    const secret = 'p@ss w0rd!';
    const msg = `authorization: Basic dXNlcjpwdw== failed for ${secret} and ${encodeURIComponent(secret)}`;
    const out = redactSecrets(msg, [secret, undefined, 'ab']);
    expect(out).toBe('authorization: Basic *** failed for *** and ***');
  });
});

describe('registered secrets', () => {
  it('are hidden in every later message, short ones are not kept', async () => {
    registerSecret('mysql-S3NTINEL');
    registerSecret('abc');
    const { RwbError } = await import('../../engine/errors.ts');
    const err = new RwbError('MYSQL_ERROR', "Access denied: 'mysql-S3NTINEL' is wrong", {
      echo: 'mysql-S3NTINEL',
    });
    expect(JSON.stringify(err.toJSON())).not.toContain('S3NTINEL');
    expect(redactSecrets('abc stays')).toBe('abc stays');
  });
});

describe('redactDeep', () => {
  it('redacts every string in a nested value and keeps __proto__ keys as data', () => {
    const value = JSON.parse(
      `{"url":"http://u:${SENTINEL}@h","list":["x",{"u":"https://a:${SENTINEL}@b"}],"n":3,"__proto__":{"polluted":1}}`,
    ) as Record<string, unknown>;
    const out = redactDeep(value);
    expect(JSON.stringify(out)).not.toContain(SENTINEL);
    expect(out.n).toBe(3);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });
});
