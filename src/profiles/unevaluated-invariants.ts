// The R4 invariants of the accepted types that are not evaluated from their FHIRPath expression, each with the reason.

export interface UnevaluatedInvariant {
  /** `native`: checked by the gateway's own code instead; `not checked`: not checked at all. */
  readonly handling: 'native' | 'not checked';
  readonly reason: string;
}

/**
 * Every R4 invariant (of the types in src/profiles/generated/core-invariants.ts) that the
 * validator does not evaluate from its expression. Loading fails when a best-practice
 * invariant is missing here, and a test fails when this list and the README's disagree.
 */
export const UNEVALUATED_INVARIANTS: Readonly<Record<string, UnevaluatedInvariant>> = {
  'ele-1': {
    handling: 'native',
    reason:
      'it holds on every element; one pass over the JSON refuses every empty object, empty array and null instead of evaluating it once per element',
  },
  'dom-3': {
    handling: 'native',
    reason:
      "its R4 expression applies as() to all of a resource's descendants at once, which FHIRPath (N1) makes an error, so it cannot be evaluated as written; the gateway checks what it states: every contained resource with an id is referred to (`#id`) from a reference, canonical, uri or url anywhere in its container, or refers to the container with `#`",
  },
  'dom-6': {
    handling: 'not checked',
    reason:
      'a best-practice guideline (severity warning), not a rule: the profiles leave narrative out on purpose, since a narrative would repeat her details outside the coded elements that consent decisions filter',
  },
};
