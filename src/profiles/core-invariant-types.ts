// The shape of the generated table of FHIR R4 invariants (scripts/profiles/generate-core-invariants.ts).

/** One `constraint` of an R4 base definition, as the specification states it. */
export interface CoreInvariant {
  readonly key: string;
  readonly severity: 'error' | 'warning';
  readonly human: string;
  readonly expression: string;
  /** Marked with the elementdefinition-bestpractice extension: a guideline, not a rule. */
  readonly bestPractice: boolean;
}
