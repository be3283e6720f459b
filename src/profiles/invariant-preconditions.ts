// When a core invariant cannot fail on a node, so its FHIRPath need not run (each one proven equivalent in test/unit/profiles).
import { asList, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';

/**
 * A cheap test that is false only where the invariant's expression, evaluated on `node` (with
 * `%resource` being `node` for invariants on a resource type), yields no `false`. True means "run
 * the expression". Each test is tied to the exact expression it was proven against: if the
 * generated table ever carries a different expression, compiling the invariants fails.
 */
export interface InvariantPrecondition {
  readonly expression: string;
  readonly mayFail: (node: JsonValue) => boolean;
}

/** A primitive child that FHIRPath sees as absent: neither its value nor its `_` extension is there. */
const absent = (object: JsonObject, key: string): boolean =>
  object[key] === undefined && object[`_${key}`] === undefined;

/** A string child without extensions, for which `test` says the expression passes. */
const plainString = (
  object: JsonObject,
  key: string,
  test: (value: string) => boolean,
): boolean => {
  const value = object[key];
  return typeof value === 'string' && object[`_${key}`] === undefined && test(value);
};

/** `entry.all(<child>.exists() = (%resource.type = … ))` passes when no entry has the child and the type is none of `types`. */
const entriesLackChildOutside =
  (child: string, types: readonly string[]) =>
  (node: JsonValue): boolean => {
    if (!isJsonObject(node)) return true;
    if (!plainString(node, 'type', (type) => !types.includes(type))) return true;
    return !asList(node.entry).every((entry) => isJsonObject(entry) && entry[child] === undefined);
  };

/** Passes while the named primitive child is absent (`<child>.empty() or …`, `<child>.exists().not() or …`). */
const withChild =
  (child: string) =>
  (node: JsonValue): boolean =>
    !isJsonObject(node) || !absent(node, child);

/** `type = 'document' implies …` passes on every other plain type. */
const documentOnly = (node: JsonValue): boolean =>
  !isJsonObject(node) || !plainString(node, 'type', (type) => type !== 'document');

/** dom-2, dom-4 and dom-5 constrain `contained` only: without it their path is empty and they hold. */
const withContained = (node: JsonValue): boolean =>
  !isJsonObject(node) || node.contained !== undefined;

// Why a table keyed by invariant: each skip is a proof about one expression, and is checked
// against it (compile-core-invariants.ts) and by evaluating both ways (the unit test).
export const INVARIANT_PRECONDITIONS: ReadonlyMap<string, InvariantPrecondition> = new Map([
  [
    'ref-1',
    {
      expression:
        "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
      // Only a local reference (`#…`) can miss its contained resource.
      mayFail: (node: JsonValue) =>
        !isJsonObject(node) ||
        !(absent(node, 'reference') || plainString(node, 'reference', (r) => !r.startsWith('#'))),
    },
  ],
  ['dom-2', { expression: 'contained.contained.empty()', mayFail: withContained }],
  [
    'dom-4',
    {
      expression: 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
      mayFail: withContained,
    },
  ],
  ['dom-5', { expression: 'contained.meta.security.empty()', mayFail: withContained }],
  [
    'bdl-3',
    {
      expression:
        "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))",
      mayFail: entriesLackChildOutside('request', ['batch', 'transaction', 'history']),
    },
  ],
  [
    'bdl-4',
    {
      expression:
        "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))",
      mayFail: entriesLackChildOutside('response', [
        'batch-response',
        'transaction-response',
        'history',
      ]),
    },
  ],
  [
    'bdl-1',
    {
      expression: "total.empty() or (type = 'searchset') or (type = 'history')",
      mayFail: withChild('total'),
    },
  ],
  [
    'bdl-2',
    {
      expression: "entry.search.empty() or (type = 'searchset')",
      mayFail: (node: JsonValue) =>
        !isJsonObject(node) ||
        !asList(node.entry).every((entry) => isJsonObject(entry) && entry.search === undefined),
    },
  ],
  [
    'bdl-9',
    {
      expression:
        "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
      mayFail: documentOnly,
    },
  ],
  [
    'bdl-10',
    { expression: "type = 'document' implies (timestamp.hasValue())", mayFail: documentOnly },
  ],
  [
    'bdl-11',
    {
      expression: "type = 'document' implies entry.first().resource.is(Composition)",
      mayFail: documentOnly,
    },
  ],
  [
    'bdl-5',
    {
      expression: 'resource.exists() or request.exists() or response.exists()',
      // An entry carrying a resource object satisfies the first alternative.
      mayFail: (node: JsonValue) => !isJsonObject(node) || !isJsonObject(node.resource),
    },
  ],
  [
    'bdl-8',
    {
      expression: "fullUrl.exists() implies fullUrl.contains('/_history/').not()",
      mayFail: (node: JsonValue) =>
        !isJsonObject(node) ||
        !(
          absent(node, 'fullUrl') || plainString(node, 'fullUrl', (u) => !u.includes('/_history/'))
        ),
    },
  ],
  ['cpt-2', { expression: 'value.empty() or system.exists()', mayFail: withChild('value') }],
  [
    'ras-2',
    {
      expression: 'probability is decimal implies (probability as decimal) <= 100',
      mayFail: withChild('probabilityDecimal'),
    },
  ],
  [
    'prr-1',
    { expression: 'orderDetail.empty() or code.exists()', mayFail: withChild('orderDetail') },
  ],
  [
    'inv-1',
    {
      expression:
        'lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn',
      mayFail: withChild('lastModified'),
    },
  ],
]);

/** Every node may break an invariant without a precondition. */
export const ALWAYS_MAY_FAIL = (): boolean => true;
