// SMART system scopes as values: parsing v2 (`system/Task.rus`) and v1 (`system/Task.read`), and formatting as v2.

export const SCOPE_PERMISSIONS = ['c', 'r', 'u', 'd', 's'] as const;
export type ScopePermission = (typeof SCOPE_PERMISSIONS)[number];

export interface SystemScope {
  /** A FHIR resource type, or `*` for every type. */
  readonly resourceType: string;
  readonly permissions: ReadonlySet<ScopePermission>;
}

const V2 = /^system\/([A-Z][A-Za-z]{0,63}|\*)\.(c?r?u?d?s?)$/;
const V1 = /^system\/([A-Z][A-Za-z]{0,63}|\*)\.(read|write|\*)$/;

/** SMART App Launch 2 §3.0.2.3: v1 read is v2 `rs`, write is `cud`, `*` is `cruds`. */
const V1_AS_V2: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };

const toPermissions = (letters: string): Set<ScopePermission> =>
  new Set(SCOPE_PERMISSIONS.filter((permission) => letters.includes(permission)));

/** A v2 system scope, or undefined for anything else (v1, patient/user scopes, granular queries). */
export function parseV2Scope(text: string): SystemScope | undefined {
  const match = V2.exec(text);
  const [, resourceType, letters] = match ?? [];
  if (resourceType === undefined || letters === undefined || letters === '') return undefined;
  return { resourceType, permissions: toPermissions(letters) };
}

/** A v2 or v1 system scope (v1 translated to v2), or undefined when it is neither. */
export function parseRequestedScope(text: string): SystemScope | undefined {
  const v2 = parseV2Scope(text);
  if (v2 !== undefined) return v2;
  const [, resourceType, v1] = V1.exec(text) ?? [];
  const letters = v1 === undefined ? undefined : V1_AS_V2[v1];
  if (resourceType === undefined || letters === undefined) return undefined;
  return { resourceType, permissions: toPermissions(letters) };
}

/** The v2 spelling, permissions in the canonical c, r, u, d, s order. */
export function formatScope(scope: SystemScope): string {
  const letters = SCOPE_PERMISSIONS.filter((permission) => scope.permissions.has(permission));
  return `system/${scope.resourceType}.${letters.join('')}`;
}
