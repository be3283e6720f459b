// Compiles the FHIR R4 invariants of the generated table once, leaving out those listed in unevaluated-invariants.ts.
import type { CompiledExpression, ExpressionCompiler } from './compile-expression.js';
import { ProfileCompileError } from './compile-profile.js';
import type { CoreInvariant } from './core-invariant-types.js';
import { coreInvariants } from './generated/core-invariants.js';
import { ALWAYS_MAY_FAIL, INVARIANT_PRECONDITIONS } from './invariant-preconditions.js';
import type { JsonValue } from './json-value.js';
import { UNEVALUATED_INVARIANTS } from './unevaluated-invariants.js';

export interface CompiledInvariant {
  readonly key: string;
  readonly human: string;
  readonly severity: 'error' | 'warning';
  readonly evaluate: CompiledExpression;
  /** False only where the expression cannot yield `false` on the node (invariant-preconditions.ts). */
  readonly mayFail: (node: JsonValue) => boolean;
}

export interface CoreInvariantChecker {
  /** Element path or type name → its invariants, compiled. */
  readonly byPath: ReadonlyMap<string, readonly CompiledInvariant[]>;
  /** Keys of the R4 invariants not evaluated from their expression (see unevaluated-invariants.ts). */
  readonly unevaluated: ReadonlySet<string>;
  /** Every R4 invariant key the generated table holds. */
  readonly keys: ReadonlySet<string>;
}

/** Compiles every core invariant once; throws when one does not compile or a guideline is unlisted. */
export function compileCoreInvariants(compile: ExpressionCompiler): CoreInvariantChecker {
  const byPath = new Map<string, CompiledInvariant[]>();
  const unevaluated = new Set<string>();
  const keys = new Set<string>();
  const compileOne = (path: string, invariant: CoreInvariant): CompiledInvariant => {
    const precondition = INVARIANT_PRECONDITIONS.get(invariant.key);
    // Why: a skip is proven for one expression; a changed expression must not inherit it.
    if (precondition !== undefined && precondition.expression !== invariant.expression) {
      throw new ProfileCompileError(
        `core invariant ${invariant.key} on ${path} is not the expression its precondition was proven for`,
      );
    }
    try {
      return {
        key: invariant.key,
        human: invariant.human,
        severity: invariant.severity,
        evaluate: compile(invariant.expression, path.replace('[x]', '')),
        mayFail: precondition?.mayFail ?? ALWAYS_MAY_FAIL,
      };
    } catch (cause) {
      throw new ProfileCompileError(
        `core invariant ${invariant.key} on ${path} does not compile: ${(cause as Error).message}`,
      );
    }
  };
  for (const [path, invariants] of Object.entries(coreInvariants)) {
    const compiled: CompiledInvariant[] = [];
    for (const invariant of invariants) {
      keys.add(invariant.key);
      if (Object.hasOwn(UNEVALUATED_INVARIANTS, invariant.key)) {
        unevaluated.add(invariant.key);
        continue;
      }
      // Why: a guideline evaluated as a rule would refuse conformant referrals.
      if (invariant.bestPractice) {
        throw new ProfileCompileError(
          `best-practice invariant ${invariant.key} is not listed in unevaluated-invariants.ts`,
        );
      }
      compiled.push(compileOne(path, invariant));
    }
    if (compiled.length > 0) byPath.set(path, compiled);
  }
  return { byPath, unevaluated, keys };
}
