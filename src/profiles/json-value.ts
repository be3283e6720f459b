// Plain JSON values as the validator reads them, and the few guards it needs.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON property as a list: absent → [], a single value → [value], an array as is. */
export const asList = (value: JsonValue | undefined): JsonValue[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Exact JSON equality (fixed[x]): same type, same members, arrays in order. */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i] as JsonValue));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) => Object.hasOwn(b, key) && jsonEquals(a[key] as JsonValue, b[key] as JsonValue),
  );
}

/**
 * FHIR pattern[x] matching: every member of the pattern appears in the value; a pattern array
 * item must match some item of the value's array.
 */
export function jsonContains(value: JsonValue, pattern: JsonValue): boolean {
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value)) return false;
    return pattern.every((wanted) => value.some((item) => jsonContains(item, wanted)));
  }
  if (isJsonObject(pattern)) {
    if (!isJsonObject(value)) return false;
    return Object.entries(pattern).every(
      ([key, wanted]) => Object.hasOwn(value, key) && jsonContains(value[key] as JsonValue, wanted),
    );
  }
  return value === pattern;
}
