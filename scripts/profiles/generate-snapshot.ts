// Dev-time: a small snapshot generator for Enlace's profiles — exactly the constraints they use, and no slicing.
import type {
  ElementDefinition,
  ElementDefinitionType,
  StructureDefinition,
} from '@medplum/fhirtypes';
import { coreStructure, type BaseDefinitions } from './base-definitions.js';

/**
 * What a differential element may say. Anything else (slicing, sliceName, contentReference,
 * isModifier, maxLength…) is refused rather than silently copied: the generator must never
 * produce a snapshot it does not understand.
 */
const DOCUMENTATION_KEYS = new Set([
  'short',
  'definition',
  'comment',
  'requirements',
  'alias',
  'meaningWhenMissing',
  'label',
]);
const HANDLED_KEYS = new Set([
  'id',
  'path',
  'min',
  'max',
  'type',
  'binding',
  'constraint',
  'condition',
  'mustSupport',
  ...DOCUMENTATION_KEYS,
]);
const STRENGTH_ORDER = ['example', 'preferred', 'extensible', 'required'];
const FIXED_OR_PATTERN = /^(fixed|pattern)[A-Z]/;
const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

export class SnapshotError extends Error {
  constructor(profile: string, elementId: string, message: string) {
    super(`${profile} ${elementId}: ${message}`);
    this.name = 'SnapshotError';
  }
}

type Mutable = Record<string, unknown> & ElementDefinition;

const maxOf = (max: string | undefined): number =>
  max === undefined || max === '*' ? Number.POSITIVE_INFINITY : Number(max);

const clone = <T>(value: T): T => structuredClone(value);

/** The resource type a targetProfile canonical designates: core by name, ours by lookup. */
function targetType(canonical: string, profileTypes: ReadonlyMap<string, string>): string {
  const own = profileTypes.get(canonical);
  if (own !== undefined) return own;
  if (canonical.startsWith(CORE_PREFIX)) return canonical.slice(CORE_PREFIX.length);
  throw new Error(`unknown targetProfile ${canonical}`);
}

/**
 * Builds `snapshot` from `differential` over the core base definition: elements merged by id;
 * min/max only narrowed; types only narrowed (targetProfile types among the base's); bindings
 * only strengthened; constraints appended; fixed and pattern values set; documentation and
 * mustSupport copied; everything else comes from the base snapshot. Elements inside a complex
 * datatype (Consent.patient.identifier) unfold that datatype's snapshot first.
 */
export function generateSnapshot(
  profile: StructureDefinition,
  base: BaseDefinitions,
  profileTypes: ReadonlyMap<string, string>,
): StructureDefinition {
  const name = profile.name;
  if (
    profile.derivation !== 'constraint' ||
    profile.baseDefinition !== `${CORE_PREFIX}${profile.type}`
  ) {
    throw new SnapshotError(
      name,
      profile.type,
      'only constraints directly on a core resource are supported',
    );
  }
  const elements: Mutable[] = clone(
    coreStructure(base, profile.type).snapshot?.element ?? [],
  ) as Mutable[];
  for (const diff of profile.differential?.element ?? []) {
    const id = diff.id ?? diff.path;
    if (diff.id !== undefined && diff.id !== diff.path) {
      throw new SnapshotError(
        name,
        id,
        'element id must equal its path (no slices, no renamed choices)',
      );
    }
    const target = findOrUnfold(elements, id, base, name);
    mergeElement(target, diff as Mutable, profile.url, profileTypes, name);
  }
  return { ...profile, snapshot: { element: elements } };
}

function findOrUnfold(
  elements: Mutable[],
  id: string,
  base: BaseDefinitions,
  profile: string,
): Mutable {
  const found = elements.find((e) => e.id === id);
  if (found !== undefined) return found;
  const cut = id.lastIndexOf('.');
  if (cut < 0) throw new SnapshotError(profile, id, 'unknown element');
  const parentId = id.slice(0, cut);
  const parent = findOrUnfold(elements, parentId, base, profile);
  const index = elements.indexOf(parent);
  if (elements[index + 1]?.id?.startsWith(`${parentId}.`) === true) {
    throw new SnapshotError(profile, id, 'unknown element');
  }
  const types = parent.type ?? [];
  const typeCode = types[0]?.code;
  if (types.length !== 1 || typeCode === undefined || parent.contentReference !== undefined) {
    throw new SnapshotError(profile, id, `cannot unfold ${parentId}: it needs exactly one type`);
  }
  const typeDef = coreStructure(base, typeCode);
  if (typeDef.kind !== 'complex-type') {
    throw new SnapshotError(
      profile,
      id,
      `cannot unfold ${parentId}: ${typeCode} is not a complex type`,
    );
  }
  const children = (typeDef.snapshot?.element ?? []).slice(1).map((child) => {
    const copy = clone(child) as Mutable;
    copy.id = `${parentId}${(child.id ?? child.path).slice(typeCode.length)}`;
    copy.path = `${parent.path}${child.path.slice(typeCode.length)}`;
    return copy;
  });
  elements.splice(index + 1, 0, ...children);
  return findOrUnfold(elements, id, base, profile);
}

function mergeElement(
  target: Mutable,
  diff: Mutable,
  source: string,
  profileTypes: ReadonlyMap<string, string>,
  profile: string,
): void {
  const id = target.id ?? target.path;
  const fail = (message: string): never => {
    throw new SnapshotError(profile, id, message);
  };
  for (const key of Object.keys(diff)) {
    if (!HANDLED_KEYS.has(key) && !FIXED_OR_PATTERN.test(key))
      fail(`unsupported differential key "${key}"`);
  }
  if (diff.min !== undefined) {
    if (diff.min < (target.min ?? 0))
      fail(`min ${diff.min} widens the base min ${target.min ?? 0}`);
    target.min = diff.min;
  }
  if (diff.max !== undefined) {
    if (maxOf(diff.max) > maxOf(target.max))
      fail(`max ${diff.max} widens the base max ${target.max ?? '*'}`);
    target.max = diff.max;
  }
  if ((target.min ?? 0) > maxOf(target.max))
    fail(`min ${target.min ?? 0} exceeds max ${target.max ?? '*'}`);
  if (diff.type !== undefined)
    target.type = narrowTypes(target.type ?? [], diff.type, profileTypes, fail);
  if (diff.binding !== undefined) {
    const before = STRENGTH_ORDER.indexOf(target.binding?.strength ?? 'example');
    if (STRENGTH_ORDER.indexOf(diff.binding.strength) < before) {
      fail(
        `binding strength ${diff.binding.strength} weakens the base's ${target.binding?.strength ?? ''}`,
      );
    }
    target.binding = clone(diff.binding);
  }
  if (diff.constraint !== undefined) {
    const keys = new Set((target.constraint ?? []).map((c) => c.key));
    for (const constraint of diff.constraint) {
      if (keys.has(constraint.key)) fail(`constraint key ${constraint.key} already exists`);
      keys.add(constraint.key);
    }
    target.constraint = [
      ...(target.constraint ?? []),
      ...diff.constraint.map((c) => ({ ...clone(c), source: c.source ?? source })),
    ];
  }
  if (diff.condition !== undefined)
    target.condition = [...(target.condition ?? []), ...diff.condition];
  for (const key of Object.keys(diff)) {
    if (!FIXED_OR_PATTERN.test(key)) continue;
    const existing = Object.keys(target).find((k) => FIXED_OR_PATTERN.test(k));
    if (existing !== undefined) fail(`${key} cannot replace the base's ${existing}`);
    target[key] = clone(diff[key]);
  }
  if (diff.mustSupport !== undefined) target.mustSupport = diff.mustSupport;
  for (const key of DOCUMENTATION_KEYS) {
    if (diff[key] !== undefined) target[key] = clone(diff[key]);
  }
}

function narrowTypes(
  baseTypes: readonly ElementDefinitionType[],
  diffTypes: readonly ElementDefinitionType[],
  profileTypes: ReadonlyMap<string, string>,
  fail: (message: string) => never,
): ElementDefinitionType[] {
  return diffTypes.map((diffType) => {
    const baseType = baseTypes.find((t) => t.code === diffType.code);
    if (baseType === undefined) return fail(`type ${diffType.code} is not allowed by the base`);
    const baseTargets = (baseType.targetProfile ?? []).map((p) => targetType(p, profileTypes));
    const anyTarget = baseTargets.length === 0 || baseTargets.includes('Resource');
    for (const profile of diffType.targetProfile ?? []) {
      const type = targetType(profile, profileTypes);
      if (!anyTarget && !baseTargets.includes(type))
        fail(`target ${type} is not allowed by the base`);
    }
    if (diffType.profile !== undefined) fail('type.profile is not supported');
    return { ...clone(baseType), ...clone(diffType) };
  });
}
