// Narrows requested SMART scopes to a role's ceiling: wildcards either side, permissions intersected.
import {
  formatScope,
  parseRequestedScope,
  type ScopePermission,
  type SystemScope,
} from './system-scope.js';

/** Parses a space-delimited `scope` (RFC 6749 §3.3); unknown or malformed entries are dropped. */
export function parseScopeParameter(text: string): SystemScope[] {
  return text
    .split(' ')
    .filter((entry) => entry !== '')
    .flatMap((entry) => {
      const scope = parseRequestedScope(entry);
      return scope === undefined ? [] : [scope];
    });
}

/** The type both scopes cover: the specific one when the other is `*`; none when they differ. */
function commonType(a: string, b: string): string | undefined {
  if (a === b) return a;
  if (a === '*') return b;
  if (b === '*') return a;
  return undefined;
}

/**
 * What may be granted: for each requested scope and each ceiling scope of a common type, the
 * permissions both hold. SMART lets a server grant less than asked, never more.
 */
export function grantScopes(
  requested: readonly SystemScope[],
  ceiling: readonly SystemScope[],
): string[] {
  const byType = new Map<string, Set<ScopePermission>>();
  for (const asked of requested) {
    for (const allowed of ceiling) {
      const resourceType = commonType(asked.resourceType, allowed.resourceType);
      if (resourceType === undefined) continue;
      const permissions = [...asked.permissions].filter((p) => allowed.permissions.has(p));
      if (permissions.length === 0) continue;
      const merged = byType.get(resourceType) ?? new Set<ScopePermission>();
      for (const permission of permissions) merged.add(permission);
      byType.set(resourceType, merged);
    }
  }
  const wildcard = byType.get('*');
  return [...byType]
    .filter(
      ([resourceType, permissions]) =>
        resourceType === '*' ||
        wildcard === undefined ||
        ![...permissions].every((permission) => wildcard.has(permission)),
    )
    .sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)))
    .map(([resourceType, permissions]) => formatScope({ resourceType, permissions }));
}

/** The ceiling strings of a role (from the network policy) as scopes; malformed ones are ignored. */
export function toCeiling(scopes: readonly string[]): SystemScope[] {
  return parseScopeParameter(scopes.join(' '));
}
