// Decides whether granted scopes meet a route's requirement: every permission letter, for that type or `*`.
import { parseV2Scope } from './system-scope.js';

/**
 * True when `granted` holds each permission of `required` (a v2 scope such as `system/Task.rs`)
 * for its resource type, directly or through `system/*`. An unparseable requirement fails closed.
 */
export function scopesCover(granted: readonly string[], required: string): boolean {
  const need = parseV2Scope(required);
  if (need === undefined) return false;
  const held = granted.flatMap((text) => {
    const scope = parseV2Scope(text);
    return scope !== undefined &&
      (scope.resourceType === need.resourceType || scope.resourceType === '*')
      ? [scope]
      : [];
  });
  return [...need.permissions].every((permission) =>
    held.some((scope) => scope.permissions.has(permission)),
  );
}
