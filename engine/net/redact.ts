/**
 * Redaction of secrets in everything the product shows: URLs (ES, MySQL, download mirrors) and free
 * text such as error messages that may embed a URL. Connections keep their real credentials; only
 * what is printed, logged or returned by an operation goes through here.
 *
 * Both functions are string-based rather than a URL parse + serialise, so that the shown URL keeps
 * the user's own spelling (no added trailing slash, no re-encoding) and so that text that is not a
 * valid URL (a typo, a message) is still cleaned.
 */

/** What replaces a secret. */
export const REDACTED = '***';

/** Query parameters whose value is a credential (compared case-insensitively). */
const SECRET_PARAMS = [
  'api_key',
  'apikey',
  'api-key',
  'password',
  'passwd',
  'pwd',
  'token',
  'access_token',
  'auth',
  'secret',
  'key',
];

// scheme://userinfo@ — the userinfo is everything up to the LAST '@' before the path, as WHATWG URL
// parsing does, so an unencoded '@' inside a password is covered too.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
const SECRET_QUERY = new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)[^&#;\\s'"]*`, 'gi');
// Header-like echoes ("authorization: Basic dXNlcjpwdw==", "ApiKey abc") in client error messages.
const AUTH_HEADER =
  /(\bauthorization["']?\s*[:=]\s*["']?(?:basic|bearer|apikey)\s+)[A-Za-z0-9+/=._~-]+/gi;

function redactUserinfo(_match: string, scheme: string, userinfo: string): string {
  return userinfo.includes(':') ? `${scheme}${REDACTED}:${REDACTED}@` : `${scheme}${REDACTED}@`;
}

/**
 * A URL fit to show: user and password become `***:***@` (a user alone becomes `***@`, since it may
 * be a token), credential query parameters (`api_key`, `token`, `password`, …) become `***`.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, redactUserinfo).replace(SECRET_QUERY, `$1${REDACTED}`);
}

/** True when `url` carries a user or password in its authority part. */
export function urlHasCredentials(url: string): boolean {
  USERINFO.lastIndex = 0;
  const found = USERINFO.test(url);
  USERINFO.lastIndex = 0;
  return found;
}

/**
 * Secret values this process holds (passwords, API keys), registered where a connection is made or
 * a secret is read, so that a driver message that quotes one verbatim is cleaned too. Short values
 * are not kept: they would blank out ordinary words in every message.
 */
const knownSecrets = new Set<string>();
const MIN_KNOWN_SECRET = 6;

export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= MIN_KNOWN_SECRET) knownSecrets.add(value);
}

/**
 * Cleans free text (an error message, a log line): every embedded URL as redactUrl does, auth headers,
 * and each secret in `secrets` or registered with registerSecret, verbatim and URL-encoded (e.g. a
 * password from a flag that a driver echoes back). Given secrets shorter than 3 characters are
 * skipped: replacing every "a" would make messages unreadable and hide nothing worth hiding.
 */
export function redactSecrets(
  text: string,
  secrets: Iterable<string | undefined | null> = [],
): string {
  let out = text
    .replace(USERINFO, redactUserinfo)
    .replace(SECRET_QUERY, `$1${REDACTED}`)
    .replace(AUTH_HEADER, `$1${REDACTED}`);
  for (const secret of [...secrets, ...knownSecrets]) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * Applies redactSecrets to every string inside a JSON-like value (error `details`, an operation's
 * output). Returns a new value; objects are rebuilt with own enumerable keys only.
 */
export function redactDeep<T>(value: T, secrets: Iterable<string | undefined | null> = []): T {
  const list = [...secrets];
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactSecrets(v, list);
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    // fromEntries defines own properties, so a "__proto__" key stays data instead of a prototype.
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, depth + 1)]),
    );
  };
  return walk(value, 0) as T;
}
