// FHIR's ele-1, checked natively: no element may be empty — no {}, no [], no stray null anywhere in the JSON.
import { isJsonObject, type JsonValue } from './json-value.js';
import { MAX_ISSUES, issue, type ValidationIssue } from './validation-issue.js';

interface Pending {
  readonly value: JsonValue;
  readonly path: string;
  /** Items of a primitive array paired with `_name` (or of `_name` itself) may be null fillers. */
  readonly nullFillers: boolean;
}

/** Appends an issue for every empty object, empty array or null below `path`. */
export function checkEmptyElements(
  value: JsonValue,
  path: string,
  issues: ValidationIssue[],
): void {
  const stack: Pending[] = [{ value, path, nullFillers: false }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const current = stack.pop();
    if (current === undefined) break;
    const at = current.path;
    if (Array.isArray(current.value)) {
      if (current.value.length === 0)
        issues.push(issue('structure', at, `${at} is an empty array; omit it.`));
      current.value.forEach((item, i) => {
        if (item !== null || !current.nullFillers)
          stack.push({ value: item, path: `${at}[${i}]`, nullFillers: false });
      });
    } else if (isJsonObject(current.value)) {
      const object = current.value;
      const keys = Object.keys(object);
      if (keys.length === 0) issues.push(issue('structure', at, `${at} is empty; omit it.`));
      for (const key of keys) {
        const nullFillers = key.startsWith('_') || Object.hasOwn(object, `_${key}`);
        stack.push({ value: object[key] as JsonValue, path: `${at}.${key}`, nullFillers });
      }
    } else if (current.value === null) {
      issues.push(issue('structure', at, `${at} is null; omit it.`));
    }
  }
}
