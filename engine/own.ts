/**
 * Lookups keyed by user input (request fields, config names, judgment query texts, doc ids) must
 * only ever see a record's own keys: `obj[name]` with name = "toString" or "__proto__" would
 * otherwise return an inherited Object.prototype member and be treated as a known entry, and an
 * assignment to `obj["__proto__"]` would replace the prototype instead of adding a key.
 */

/** Whether `key` is an own property of `record` (never an inherited one). */
export function hasOwnKey(record: object, key: PropertyKey): boolean {
  return Object.hasOwn(record, key);
}

/** `record[key]` when `key` is its own property, otherwise undefined. */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * An empty record without a prototype: any string, "__proto__" included, is stored as a plain
 * key and no lookup falls through to Object.prototype. JSON.stringify and Object.entries treat it
 * like any other object.
 */
export function emptyRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Object.fromEntries into a null-prototype record (safe for "__proto__" keys). */
export function recordFromEntries<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const record = emptyRecord<V>();
  for (const [key, value] of entries) record[key] = value;
  return record;
}
