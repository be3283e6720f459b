// Compiles FHIRPath invariants once, with the FHIR R4 model, into plain functions.
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';

/** Evaluates a compiled expression on a node; `resource`/`rootResource` become %resource/%rootResource. */
export type CompiledExpression = (
  node: unknown,
  env: { readonly resource: unknown; readonly rootResource: unknown },
) => readonly unknown[];

/** Compiles `expression` for nodes at element path `base` (`Task`, `Consent.provision`). */
export type ExpressionCompiler = (expression: string, base: string) => CompiledExpression;

// Why: some core invariants call trace(); its default writes case data to the console.
const silent = (): void => undefined;

export const compileFhirPath: ExpressionCompiler = (expression, base) => {
  const evaluate = fhirpath.compile({ base, expression }, r4, { traceFn: silent });
  return (node, env) => {
    const result: unknown[] = evaluate(node, { ...env });
    return result;
  };
};
