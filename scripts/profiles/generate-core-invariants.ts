// Dev-time: the R4 invariants of every type a referral may carry, and the element map the validator walks to apply them.
import { join } from 'node:path';
import type {
  ElementDefinition,
  ElementDefinitionConstraint,
  StructureDefinition,
} from '@medplum/fhirtypes';
import type { CoreInvariant } from '../../src/profiles/core-invariant-types.js';
import { coreStructure, type BaseDefinitions } from './base-definitions.js';
import { ACCEPTED_RESOURCE_TYPES } from './generate-base-validator.js';
import { formatTypeScript, type Artifact } from './profile-artifacts.js';

const BEST_PRACTICE = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';
const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
/** Primitive types whose values the validator collects (dom-3 looks for `#id` among them). */
const COLLECTED_PRIMITIVES = new Set(['uri', 'url', 'canonical']);
/**
 * JSON numbers and booleans. fhirpath 5.2.2 cannot take one as the root of an evaluation (it
 * builds the node before it can read decimals), so invariants on such values are not walked to:
 * the only one, ras-1 on RiskAssessment.prediction.probabilityDecimal, speaks of the low and high
 * of a Range and has nothing to check on a decimal.
 */
const NOT_A_STRING = new Set(['boolean', 'decimal', 'integer', 'positiveInt', 'unsignedInt']);
/** ele-1 sits on every element of every type; it is listed once, on Element itself. */
const EVERYWHERE = 'ele-1';

export interface CoreInvariantTables {
  /** `<owner>.<JSON name>` → a datatype or resource type name, `Resource`, or a backbone element's path. */
  readonly elementTypes: Record<string, string>;
  /** `<owner>.<JSON name>` of a choice element's typed name → the element path with `[x]`. */
  readonly choiceElements: Record<string, string>;
  /** Element path or type name → the invariants defined there. */
  readonly invariants: Record<string, CoreInvariant[]>;
  /** Type → the ancestors (DomainResource, Quantity) whose root invariants also hold on it. */
  readonly ancestors: Record<string, string[]>;
}

const isPrimitive = (code: string): boolean => /^[a-z]/.test(code);
const capitalised = (code: string): string => `${code.charAt(0).toUpperCase()}${code.slice(1)}`;
const typeNameOf = (canonical: string): string => canonical.slice(CORE_PREFIX.length);

function toInvariant(c: ElementDefinitionConstraint): CoreInvariant {
  if (c.expression === undefined) throw new Error(`constraint ${c.key} has no expression`);
  return {
    key: c.key,
    severity: c.severity === 'warning' ? 'warning' : 'error',
    human: c.human,
    expression: c.expression,
    bestPractice: (c.extension ?? []).some(
      (e) => e.url === BEST_PRACTICE && e.valueBoolean === true,
    ),
  };
}

/**
 * The constraints an element states itself. Snapshots copy the root constraints of an element's
 * datatype onto it (ext-1 onto every `extension`); those are applied where the datatype is
 * entered instead, so they are dropped here.
 */
function ownConstraints(
  element: ElementDefinition,
  isRoot: boolean,
): ElementDefinitionConstraint[] {
  const typeCodes = new Set((element.type ?? []).map((t) => t.code));
  return (element.constraint ?? []).filter((c) => {
    if (c.key === EVERYWHERE) return isRoot && element.path === 'Element';
    if (isRoot || c.source === undefined) return true;
    return !typeCodes.has(typeNameOf(c.source));
  });
}

/** Root constraints a core type profile (SimpleQuantity) adds to its base type. */
function profileConstraints(
  base: BaseDefinitions,
  typeCode: string,
  profiles: readonly string[],
): ElementDefinitionConstraint[] {
  const inherited = new Set(
    (coreStructure(base, typeCode).snapshot?.element[0]?.constraint ?? []).map((c) => c.key),
  );
  return profiles.flatMap((url) => {
    const profile = base.typeProfiles.get(url);
    if (profile === undefined) throw new Error(`unknown core type profile ${url}`);
    return (profile.snapshot?.element[0]?.constraint ?? []).filter((c) => !inherited.has(c.key));
  });
}

/** Bundle.entry.response.outcome names OperationOutcome; any element holding a resource is walked as one. */
const isResourceType = (base: BaseDefinitions, code: string): boolean =>
  !isPrimitive(code) && coreStructure(base, code).kind === 'resource';

function hasChildren(sd: StructureDefinition, path: string): boolean {
  return (sd.snapshot?.element ?? []).some((e) => e.path.startsWith(`${path}.`));
}

/** Walks the R4 definitions from the accepted resource types through every datatype they use. */
export function buildCoreInvariantTables(base: BaseDefinitions): CoreInvariantTables {
  const elementTypes: Record<string, string> = {};
  const choiceElements: Record<string, string> = {};
  const invariants: Record<string, CoreInvariant[]> = {};
  const addInvariants = (path: string, found: readonly ElementDefinitionConstraint[]): void => {
    if (found.length === 0) return;
    const list = invariants[path] ?? [];
    for (const c of found) if (!list.some((i) => i.key === c.key)) list.push(toInvariant(c));
    invariants[path] = list;
  };
  const ancestors: Record<string, string[]> = {};
  /** A root constraint inherited from an ancestor is kept once, under the ancestor. */
  const addRootInvariants = (type: string, found: readonly ElementDefinitionConstraint[]): void => {
    for (const c of found) {
      const definedOn = c.source === undefined ? type : typeNameOf(c.source);
      addInvariants(definedOn, [c]);
      if (definedOn === type) continue;
      const list = ancestors[type] ?? [];
      if (!list.includes(definedOn)) list.push(definedOn);
      ancestors[type] = list;
    }
  };
  const queue: string[] = [...ACCEPTED_RESOURCE_TYPES, 'Element'];
  const done = new Set<string>();
  for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
    if (done.has(type)) continue;
    done.add(type);
    const sd = coreStructure(base, type);
    for (const element of sd.snapshot?.element ?? []) {
      const isRoot = element.path === type;
      const own = ownConstraints(element, isRoot);
      const typed = (element.type ?? []).filter((t) => !t.code.startsWith('http'));
      const extra = typed.flatMap((t) =>
        t.profile === undefined ? [] : profileConstraints(base, t.code, t.profile),
      );
      if (isRoot) {
        addRootInvariants(type, own);
        continue;
      }
      addInvariants(element.path, [...own, ...extra]);
      const cut = element.path.lastIndexOf('.');
      const owner = element.path.slice(0, cut);
      const last = element.path.slice(cut + 1);
      if (element.contentReference !== undefined) {
        elementTypes[`${owner}.${last}`] = element.contentReference.replace(/^#/, '');
        continue;
      }
      const choice = last.endsWith('[x]');
      const name = choice ? last.slice(0, -3) : last;
      for (const { code } of typed) {
        const jsonName = choice ? `${name}${capitalised(code)}` : name;
        const key = `${owner}.${jsonName}`;
        let next: string;
        if (code === 'Resource' || isResourceType(base, code)) next = 'Resource';
        else if (
          (code === 'BackboneElement' || code === 'Element') &&
          hasChildren(sd, element.path)
        )
          next = element.path;
        else if (!isPrimitive(code)) {
          next = code;
          queue.push(code);
        } else if (
          COLLECTED_PRIMITIVES.has(code) ||
          (invariants[element.path] !== undefined && !NOT_A_STRING.has(code))
        )
          next = code;
        else continue;
        elementTypes[key] = next;
        if (choice) choiceElements[key] = element.path;
      }
    }
  }
  const sorted = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k] as T]),
    );
  return {
    elementTypes: sorted(elementTypes),
    choiceElements: sorted(choiceElements),
    invariants: sorted(invariants),
    ancestors: sorted(ancestors),
  };
}

/** `src/profiles/generated/core-invariants.ts`. */
export async function buildCoreInvariants(base: BaseDefinitions): Promise<Artifact> {
  const tables = buildCoreInvariantTables(base);
  const path = join('src', 'profiles', 'generated', 'core-invariants.ts');
  const source = [
    '// The FHIR R4 invariants of the types a referral may carry, and the element map the validator walks to find them.',
    `// Generated by scripts/profiles/build-profiles.ts from ${base.source}; do not edit.`,
    "import type { CoreInvariant } from '../core-invariant-types.js';",
    '',
    '/** `<owner>.<JSON name>` → a datatype or resource type name, `Resource`, or the path of a backbone element (the owner of its children). Primitives only where they matter. */',
    `export const coreElementTypes: Readonly<Record<string, string>> = ${JSON.stringify(tables.elementTypes)};`,
    '',
    '/** `<owner>.<JSON name>` of a choice element → its element path (`RiskAssessment.prediction.probability[x]`). */',
    `export const coreChoiceElements: Readonly<Record<string, string>> = ${JSON.stringify(tables.choiceElements)};`,
    '',
    '/** Element path or type name → the invariants R4 defines there (ele-1 once, on Element). */',
    `export const coreInvariants: Readonly<Record<string, readonly CoreInvariant[]>> = ${JSON.stringify(tables.invariants)};`,
    '',
    '/** Type → the ancestors whose root invariants also hold on it (each kept once, under the ancestor). */',
    `export const coreAncestors: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(tables.ancestors)};`,
    '',
  ].join('\n');
  return { path, content: await formatTypeScript(source, path) };
}
