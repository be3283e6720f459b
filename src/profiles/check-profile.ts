// Walks a resource against a compiled profile: cardinality, types, fixed/pattern values, required bindings, invariants.
import type { CompiledProfile, ElementRule, TypeRule } from './compile-profile.js';
import { grammarAccepts, type Expansion } from './expand-value-sets.js';
import {
  asList,
  isJsonObject,
  jsonContains,
  jsonEquals,
  type JsonObject,
  type JsonValue,
} from './json-value.js';
import { referenceTargetType, type ReferenceScope } from './reference-target.js';
import { MAX_ISSUES, issue, type ValidationIssue } from './validation-issue.js';

export interface WalkContext {
  readonly issues: ValidationIssue[];
  readonly scope: ReferenceScope;
  readonly rootResource: JsonObject;
  /** Validates a resource nested at `path` (Bundle.entry.resource, contained). */
  readonly validateNested: (resource: JsonValue, path: string, scope: ReferenceScope) => void;
}

interface Located {
  readonly value: JsonValue;
  readonly path: string;
  /** The type of a choice element's value, from its JSON name (`occurrenceDateTime` → dateTime). */
  readonly type: string | undefined;
}

const PRIMITIVE = /^[a-z]/;

const add = (context: WalkContext, found: ValidationIssue): void => {
  if (context.issues.length < MAX_ISSUES) context.issues.push(found);
};

const capitalised = (code: string): string => `${code.charAt(0).toUpperCase()}${code.slice(1)}`;

/** Values of a child element in its parent object, choice-aware; primitives count their `_name` too. */
function childValues(
  parent: JsonObject,
  rule: ElementRule,
  parentPath: string,
  context: WalkContext,
): Located[] {
  if (!rule.choice) {
    const many = Array.isArray(parent[rule.name]);
    const located: Located[] = asList(parent[rule.name]).map((value, i) => ({
      value,
      path: many ? `${parentPath}.${rule.name}[${i}]` : `${parentPath}.${rule.name}`,
      type: undefined,
    }));
    const extensions = asList(parent[`_${rule.name}`]);
    return extensions.length > located.length
      ? extensions.map(
          (value, i) =>
            located[i] ?? { value, path: `${parentPath}._${rule.name}`, type: undefined },
        )
      : located;
  }
  const found: Located[] = [];
  for (const key of Object.keys(parent)) {
    const bare = key.startsWith('_') ? key.slice(1) : key;
    if (!bare.startsWith(rule.name) || !/^[A-Z]/.test(bare.slice(rule.name.length))) continue;
    if (key.startsWith('_') && Object.hasOwn(parent, bare)) continue;
    const suffix = bare.slice(rule.name.length);
    const type = rule.types.find((t) => capitalised(t.code) === suffix);
    if (type === undefined) {
      add(
        context,
        issue(
          'structure',
          `${parentPath}.${key}`,
          `${parentPath}.${key}: type ${suffix} is not allowed here by the profile.`,
        ),
      );
      continue;
    }
    found.push({ value: parent[key] as JsonValue, path: `${parentPath}.${key}`, type: type.code });
  }
  return found;
}

function checkBinding(
  binding: Expansion,
  type: string,
  value: JsonValue,
  path: string,
  context: WalkContext,
): void {
  const codingIn = (coding: JsonValue): boolean => {
    if (
      !isJsonObject(coding) ||
      typeof coding.system !== 'string' ||
      typeof coding.code !== 'string'
    )
      return false;
    return (
      binding.codings.has(`${coding.system}|${coding.code}`) ||
      (binding.grammars.has(coding.system) && grammarAccepts(coding.system, coding.code))
    );
  };
  let ok: boolean;
  if (type === 'Coding') ok = codingIn(value);
  else if (type === 'CodeableConcept')
    ok = isJsonObject(value) && asList(value.coding).some(codingIn);
  else if (typeof value === 'string') {
    ok =
      binding.codes.has(value) ||
      [...binding.grammars].some((system) => grammarAccepts(system, value));
  } else ok = true;
  if (!ok) {
    add(
      context,
      issue('code-invalid', path, `${path} has no code from the required ValueSet ${binding.url}.`),
    );
  }
}

function checkReference(
  type: TypeRule,
  value: JsonValue,
  path: string,
  context: WalkContext,
): void {
  if (type.targets === undefined || type.targets.has('Resource') || !isJsonObject(value)) return;
  const target = referenceTargetType(value, context.scope);
  if (target !== undefined && !type.targets.has(target)) {
    add(
      context,
      issue(
        'value',
        path,
        `${path} refers to a ${target}; the profile allows ${[...type.targets].join(' | ')}.`,
      ),
    );
  }
}

function checkInvariants(
  rule: ElementRule,
  value: JsonValue,
  path: string,
  context: WalkContext,
): void {
  for (const invariant of rule.invariants) {
    let result: readonly unknown[];
    try {
      result = invariant.evaluate(value, {
        resource: context.scope.resource,
        rootResource: context.rootResource,
      });
    } catch {
      add(
        context,
        issue('exception', path, `${invariant.key}: the invariant could not be evaluated.`),
      );
      continue;
    }
    if (result.includes(false)) {
      add(
        context,
        issue('invariant', path, `${invariant.key}: ${invariant.human}`, invariant.severity),
      );
    }
  }
}

function checkValue(
  profile: CompiledProfile,
  rule: ElementRule,
  located: Located,
  context: WalkContext,
): void {
  const { value, path } = located;
  const type = located.type ?? (rule.types.length === 1 ? rule.types[0]?.code : undefined);
  if (rule.fixed !== undefined && !jsonEquals(value, rule.fixed)) {
    add(context, issue('value', path, `${path} must be exactly ${JSON.stringify(rule.fixed)}.`));
  }
  if (rule.pattern !== undefined && !jsonContains(value, rule.pattern)) {
    add(context, issue('value', path, `${path} must match ${JSON.stringify(rule.pattern)}.`));
  }
  if (rule.binding !== undefined && type !== undefined)
    checkBinding(rule.binding, type, value, path, context);
  for (const typeRule of rule.types)
    if (typeRule.code === type && type === 'Reference')
      checkReference(typeRule, value, path, context);
  checkInvariants(rule, value, path, context);
  if (type === 'Resource' || type === 'DomainResource') {
    context.validateNested(value, path, context.scope);
    return;
  }
  if (!isJsonObject(value) || (type !== undefined && PRIMITIVE.test(type))) return;
  const source =
    rule.contentReference === undefined ? rule : profile.byId.get(rule.contentReference);
  for (const child of source?.children ?? []) checkChild(profile, child, value, path, context);
}

function checkChild(
  profile: CompiledProfile,
  rule: ElementRule,
  parent: JsonObject,
  parentPath: string,
  context: WalkContext,
): void {
  const values = childValues(parent, rule, parentPath, context);
  const at = `${parentPath}.${rule.name}`;
  if (values.length < rule.min) {
    add(
      context,
      issue(
        'required',
        at,
        `${at} is required: at least ${rule.min} expected, ${values.length} found.`,
      ),
    );
  }
  if (values.length > rule.max) {
    add(
      context,
      issue(
        'structure',
        at,
        rule.max === 0
          ? `${at} is not allowed by the profile.`
          : `${at} allows at most ${rule.max}, ${values.length} found.`,
      ),
    );
  }
  for (const located of values) checkValue(profile, rule, located, context);
}

/** Appends to context.issues every way `resource` (at `path`) departs from `profile`. */
export function checkProfile(
  profile: CompiledProfile,
  resource: JsonObject,
  path: string,
  context: WalkContext,
): void {
  checkValue(profile, profile.root, { value: resource, path, type: profile.type }, context);
}
