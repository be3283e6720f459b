// Applies the FHIR R4 invariants of every datatype and resource in a request, and resolves urn: references in messages.
import type { CoreInvariantChecker } from './compile-core-invariants.js';
import {
  coreAncestors,
  coreChoiceElements,
  coreElementTypes,
  coreInvariants,
} from './generated/core-invariants.js';
import { asList, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import { MAX_ISSUES, issue, type ValidationIssue } from './validation-issue.js';

interface BundleScope {
  readonly message: boolean;
  readonly fullUrls: ReadonlySet<string>;
}

/** What FHIRPath's %resource and %rootResource are, and what dom-3 collects, while inside one resource. */
interface ResourceScope {
  readonly resource: JsonObject;
  readonly rootResource: JsonObject;
  readonly bundle: BundleScope | undefined;
  /** Reference, canonical, uri and url values anywhere in the root resource (contained ones included). */
  readonly targets: Set<string>;
  /** Contained resources of the root resource that refer to it with `#`. */
  readonly refersToContainer: Set<JsonObject>;
}

const UNRESOLVABLE_URN = /^urn:(uuid|oid):/;
const DOM_3 = 'dom-3';

// Why: the tables are looked up with names taken from the request (resourceType, JSON keys);
// Maps cannot answer `constructor` or `__proto__` with something inherited from Object.
const ELEMENT_TYPES = new Map(Object.entries(coreElementTypes));
const CHOICE_ELEMENTS = new Map(Object.entries(coreChoiceElements));
const ANCESTORS = new Map(Object.entries(coreAncestors));
/** The human text of dom-3 for each type it holds on. */
const DOM_3_TEXT = new Map(
  Object.keys(coreInvariants).flatMap((type) => {
    const own = [type, ...(ANCESTORS.get(type) ?? [])].flatMap((t) =>
      Object.hasOwn(coreInvariants, t) ? (coreInvariants[t] ?? []) : [],
    );
    const human = own.find((i) => i.key === DOM_3)?.human;
    return human === undefined ? [] : [[type, human] as const];
  }),
);

function bundleScope(bundle: JsonObject): BundleScope {
  const fullUrls = new Set<string>();
  for (const entry of asList(bundle.entry)) {
    if (isJsonObject(entry) && typeof entry.fullUrl === 'string') fullUrls.add(entry.fullUrl);
  }
  return { message: bundle.type === 'message', fullUrls };
}

/** Appends to `issues` every R4 invariant `resource` (at `path`) breaks, and every dangling urn: reference of a message. */
export function checkCoreInvariants(
  checker: CoreInvariantChecker,
  resource: JsonObject,
  path: string,
  issues: ValidationIssue[],
): void {
  const add = (found: ValidationIssue): void => {
    if (issues.length < MAX_ISSUES) issues.push(found);
  };

  const evaluate = (key: string, node: JsonValue, at: string, scope: ResourceScope): void => {
    for (const invariant of checker.byPath.get(key) ?? []) {
      if (!invariant.mayFail(node)) continue;
      let result: readonly unknown[];
      try {
        result = invariant.evaluate(node, {
          resource: scope.resource,
          rootResource: scope.rootResource,
        });
      } catch {
        add(issue('exception', at, `${invariant.key}: the invariant could not be evaluated.`));
        continue;
      }
      if (result.includes(false)) {
        add(issue('invariant', at, `${invariant.key}: ${invariant.human}`, invariant.severity));
      }
    }
  };

  /** The invariants of a datatype or resource type, its ancestors' included. */
  const evaluateType = (type: string, node: JsonValue, at: string, scope: ResourceScope): void => {
    evaluate(type, node, at, scope);
    for (const ancestor of ANCESTORS.get(type) ?? []) evaluate(ancestor, node, at, scope);
  };

  const checkReference = (reference: JsonObject, at: string, scope: ResourceScope): void => {
    const target = reference.reference;
    if (typeof target !== 'string') return;
    scope.targets.add(target);
    if (target === '#' && scope.resource !== scope.rootResource)
      scope.refersToContainer.add(scope.resource);
    // Why: a urn: is no address; outside the message it names nothing, so the receiver could
    // never find what the message claims to be about.
    if (
      scope.bundle?.message === true &&
      UNRESOLVABLE_URN.test(target) &&
      !scope.bundle.fullUrls.has(target)
    ) {
      add(
        issue(
          'not-found',
          at,
          `${at}.reference is a ${target.startsWith('urn:oid:') ? 'urn:oid' : 'urn:uuid'} that no entry's fullUrl matches; a message carries every resource it refers to by urn.`,
        ),
      );
    }
  };

  const visitChildren = (
    object: JsonObject,
    at: string,
    owner: string,
    scope: ResourceScope,
  ): void => {
    for (const key of Object.keys(object)) {
      if (key === 'resourceType') continue;
      const value = object[key] as JsonValue;
      const many = Array.isArray(value);
      if (key.startsWith('_')) {
        asList(value).forEach((item, i) => {
          if (item !== null)
            visit(item, many ? `${at}.${key}[${i}]` : `${at}.${key}`, 'Element', 'Element', scope);
        });
        continue;
      }
      const slot = `${owner}.${key}`;
      const next = ELEMENT_TYPES.get(slot);
      if (next === undefined) continue;
      const element = CHOICE_ELEMENTS.get(slot) ?? slot;
      asList(value).forEach((item, i) => {
        visit(item, many ? `${at}.${key}[${i}]` : `${at}.${key}`, element, next, scope);
      });
    }
  };

  const visitResource = (
    value: JsonObject,
    at: string,
    element: string,
    outer: ResourceScope | undefined,
  ): void => {
    const type = value.resourceType;
    if (typeof type !== 'string') return;
    const contained = outer !== undefined && element.endsWith('.contained');
    const scope: ResourceScope = contained
      ? { ...outer, resource: value }
      : {
          resource: value,
          rootResource: value,
          bundle: outer?.bundle,
          targets: new Set(),
          refersToContainer: new Set(),
        };
    const inner: ResourceScope =
      type === 'Bundle' ? { ...scope, bundle: bundleScope(value) } : scope;
    evaluateType(type, value, at, inner);
    visitChildren(value, at, type, inner);
    if (!contained) checkContained(value, type, at, scope);
  };

  /** dom-3, natively: every contained resource with an id is referred to, or refers to its container. */
  const checkContained = (
    container: JsonObject,
    type: string,
    at: string,
    scope: ResourceScope,
  ): void => {
    const human = DOM_3_TEXT.get(type);
    if (human === undefined || !checker.unevaluated.has(DOM_3)) return;
    asList(container.contained).forEach((item, i) => {
      if (!isJsonObject(item) || typeof item.id !== 'string') return;
      if (scope.targets.has(`#${item.id}`) || scope.refersToContainer.has(item)) return;
      add(issue('invariant', `${at}.contained[${i}]`, `${DOM_3}: ${human}`));
    });
  };

  const visit = (
    value: JsonValue,
    at: string,
    element: string,
    next: string,
    scope: ResourceScope,
  ): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (next === 'Resource') {
      if (isJsonObject(value)) visitResource(value, at, element, scope);
      return;
    }
    if (element !== next) evaluate(element, value, at, scope);
    evaluateType(next, value, at, scope);
    if (/^[a-z]/.test(next)) {
      if (typeof value === 'string') {
        scope.targets.add(value);
        if (value === '#' && next === 'canonical' && scope.resource !== scope.rootResource)
          scope.refersToContainer.add(scope.resource);
      }
      return;
    }
    if (!isJsonObject(value)) return;
    if (next === 'Reference') checkReference(value, at, scope);
    visitChildren(value, at, next, scope);
  };

  visitResource(resource, path, '', undefined);
}
