// Turns a profile's snapshot into a tree of element rules, compiling bindings and invariants once.
import type {
  ElementDefinition,
  ElementDefinitionConstraint,
  StructureDefinition,
} from '@medplum/fhirtypes';
import type { CompiledExpression, ExpressionCompiler } from './compile-expression.js';
import type { Expansion } from './expand-value-sets.js';
import type { JsonValue } from './json-value.js';

export interface TypeRule {
  readonly code: string;
  /** Resource types a Reference may point to; undefined when any. */
  readonly targets: ReadonlySet<string> | undefined;
}

export interface Invariant {
  readonly key: string;
  readonly human: string;
  readonly severity: 'error' | 'warning';
  readonly evaluate: CompiledExpression;
}

export interface ElementRule {
  readonly id: string;
  /** JSON member name; for a choice (`value[x]`) the prefix before the type name. */
  readonly name: string;
  readonly choice: boolean;
  readonly min: number;
  readonly max: number;
  readonly types: readonly TypeRule[];
  readonly fixed: JsonValue | undefined;
  readonly pattern: JsonValue | undefined;
  /** Only required bindings are checked. */
  readonly binding: Expansion | undefined;
  readonly invariants: readonly Invariant[];
  /** `#Consent.provision`: the children come from that element. */
  readonly contentReference: string | undefined;
  readonly children: ElementRule[];
}

export interface CompiledProfile {
  readonly url: string;
  readonly type: string;
  readonly root: ElementRule;
  readonly byId: ReadonlyMap<string, ElementRule>;
}

export interface CompileContext {
  readonly compileExpression: ExpressionCompiler;
  /**
   * Keys of the R4 invariants the validator applies to every element of their type wherever it
   * occurs (check-core-invariants.ts); profile snapshots repeat them, and they are not compiled twice.
   */
  readonly coreInvariantKeys: ReadonlySet<string>;
  readonly expand: (valueSet: string) => Expansion;
  /** Resource type of a profile canonical (ours or core). */
  readonly typeOfProfile: (canonical: string) => string;
}

export class ProfileCompileError extends Error {
  override readonly name = 'ProfileCompileError';
}

const BEST_PRACTICE = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';
const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

const isBestPractice = (c: ElementDefinitionConstraint): boolean =>
  (c.extension ?? []).some((e) => e.url === BEST_PRACTICE && e.valueBoolean === true);

/** A core invariant copied into the snapshot (R4 leaves `source` out on a type's own constraints). */
const isCore = (c: ElementDefinitionConstraint, coreKeys: ReadonlySet<string>): boolean =>
  coreKeys.has(c.key) && (c.source === undefined || c.source.startsWith(CORE_PREFIX));

function fixedOrPattern(
  element: ElementDefinition,
  prefix: 'fixed' | 'pattern',
): JsonValue | undefined {
  const record = element as unknown as Record<string, unknown>;
  const key = Object.keys(record).find(
    (k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)),
  );
  return key === undefined ? undefined : (record[key] as JsonValue);
}

function compileElement(
  element: ElementDefinition,
  context: CompileContext,
  profile: string,
): ElementRule {
  const id = element.id ?? element.path;
  const last = element.path.slice(element.path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  const fail = (message: string): never => {
    throw new ProfileCompileError(`${profile} ${id}: ${message}`);
  };
  // Why: core snapshots declare open slicing on every extension element; only actual slices are refused.
  if (
    element.sliceName !== undefined ||
    (element.slicing !== undefined && element.slicing.rules !== 'open')
  ) {
    fail('slices are not supported');
  }
  const types: TypeRule[] = (element.type ?? []).map((type) => ({
    code: type.code,
    targets:
      type.targetProfile === undefined
        ? undefined
        : new Set(type.targetProfile.map((p) => context.typeOfProfile(p))),
  }));
  let binding: Expansion | undefined;
  if (element.binding?.strength === 'required') {
    if (element.binding.valueSet === undefined) fail('required binding without a ValueSet');
    try {
      binding = context.expand(element.binding.valueSet ?? '');
    } catch (cause) {
      // Why: a required binding the gateway cannot expand would silently accept any code.
      fail(`required binding cannot be expanded: ${(cause as Error).message}`);
    }
  }
  const invariants = (element.constraint ?? [])
    .filter((c) => !isCore(c, context.coreInvariantKeys) && !isBestPractice(c))
    .map((c): Invariant => {
      if (c.expression === undefined) return fail(`constraint ${c.key} has no expression`);
      try {
        return {
          key: c.key,
          human: c.human,
          severity: c.severity === 'warning' ? 'warning' : 'error',
          evaluate: context.compileExpression(c.expression, element.path),
        };
      } catch (cause) {
        return fail(`constraint ${c.key} does not compile: ${(cause as Error).message}`);
      }
    });
  return {
    id,
    name: choice ? last.slice(0, -3) : last,
    choice,
    min: element.min ?? 0,
    max:
      element.max === undefined || element.max === '*'
        ? Number.POSITIVE_INFINITY
        : Number(element.max),
    types,
    fixed: fixedOrPattern(element, 'fixed'),
    pattern: fixedOrPattern(element, 'pattern'),
    binding,
    invariants,
    contentReference: element.contentReference?.replace(/^#/, ''),
    children: [],
  };
}

/** Compiles a StructureDefinition with a snapshot; throws ProfileCompileError on what it cannot check. */
export function compileProfile(sd: StructureDefinition, context: CompileContext): CompiledProfile {
  const elements = sd.snapshot?.element;
  if (elements === undefined || elements.length === 0) {
    throw new ProfileCompileError(`${sd.url}: no snapshot; run npm run profiles:build`);
  }
  const byId = new Map<string, ElementRule>();
  for (const element of elements) {
    const rule = compileElement(element, context, sd.url);
    const cut = rule.id.lastIndexOf('.');
    if (cut >= 0) {
      const parent = byId.get(rule.id.slice(0, cut));
      if (parent === undefined)
        throw new ProfileCompileError(`${sd.url} ${rule.id}: parent missing`);
      parent.children.push(rule);
    }
    byId.set(rule.id, rule);
  }
  for (const rule of byId.values()) {
    if (rule.contentReference !== undefined && !byId.has(rule.contentReference)) {
      throw new ProfileCompileError(`${sd.url} ${rule.id}: unresolved contentReference`);
    }
  }
  const root = byId.get(sd.type);
  if (root === undefined)
    throw new ProfileCompileError(`${sd.url}: snapshot lacks its root element`);
  return { url: sd.url, type: sd.type, root, byId };
}
