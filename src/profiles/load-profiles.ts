// Loads a profiles package once at start and returns a validator that never compiles anything per request.
import { checkBaseStructure } from './check-base-structure.js';
import { checkCoreInvariants } from './check-core-invariants.js';
import { compileCoreInvariants } from './compile-core-invariants.js';
import { checkEmptyElements } from './check-empty-elements.js';
import { checkProfile, type WalkContext } from './check-profile.js';
import { compileFhirPath, type ExpressionCompiler } from './compile-expression.js';
import { compileProfile, type CompiledProfile } from './compile-profile.js';
import { createExpander } from './expand-value-sets.js';
import { validateBaseSchema } from './generated/base-schema-validator.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import type { ReferenceScope } from './reference-target.js';
import { readPackage } from './read-package.js';
import { issue, type ValidationIssue } from './validation-issue.js';

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

export interface ProfileValidator {
  /** `name#version` of the loaded FHIR package. */
  readonly packageId: string;
  /** Canonical URLs of the loaded profiles. */
  readonly profiles: readonly string[];
  /**
   * Every issue of `resource` against the FHIR R4 base structure and against `profileUrl`, or
   * when omitted the loaded profiles it claims in meta.profile. Bundled and contained resources
   * are checked against the profiles they claim or, when they claim none, the one loaded
   * profile of their type. Throws only for a `profileUrl` that is not loaded.
   */
  validate(resource: unknown, profileUrl?: string): ValidationIssue[];
}

export interface LoadProfilesOptions {
  /** Replaces the FHIRPath compiler (tests count its calls). */
  readonly compileExpression?: ExpressionCompiler;
}

const withoutVersion = (canonical: string): string => canonical.split('|')[0] ?? canonical;

function claimedProfiles(resource: JsonObject): string[] {
  const meta = resource.meta;
  if (!isJsonObject(meta) || !Array.isArray(meta.profile)) return [];
  return meta.profile.filter((p): p is string => typeof p === 'string').map(withoutVersion);
}

/** Reads and compiles `dir` (a FHIR package); throws when a profile cannot be fully checked. */
export function loadProfiles(dir: string, options: LoadProfilesOptions = {}): ProfileValidator {
  const pkg = readPackage(dir);
  const typeByUrl = new Map(pkg.structureDefinitions.map((sd) => [sd.url, sd.type]));
  const expand = createExpander(pkg.valueSets, pkg.codeSystems);
  const compileExpression = options.compileExpression ?? compileFhirPath;
  const core = compileCoreInvariants(compileExpression);
  const context = {
    compileExpression,
    coreInvariantKeys: core.keys,
    expand,
    typeOfProfile: (canonical: string): string => {
      const url = withoutVersion(canonical);
      const own = typeByUrl.get(url);
      if (own !== undefined) return own;
      if (url.startsWith(CORE_PREFIX)) return url.slice(CORE_PREFIX.length);
      throw new Error(`unknown target profile ${url}`);
    },
  };
  const compiled = new Map<string, CompiledProfile>();
  for (const sd of pkg.structureDefinitions) compiled.set(sd.url, compileProfile(sd, context));
  const byType = new Map<string, CompiledProfile[]>();
  for (const profile of compiled.values())
    byType.set(profile.type, [...(byType.get(profile.type) ?? []), profile]);

  const selectProfiles = (
    resource: JsonObject,
    path: string,
    issues: ValidationIssue[],
    nested: boolean,
  ): CompiledProfile[] => {
    const claimed = claimedProfiles(resource);
    const known: CompiledProfile[] = [];
    for (const url of claimed) {
      const profile = compiled.get(url);
      if (profile === undefined) {
        issues.push(
          issue(
            'not-supported',
            `${path}.meta.profile`,
            `Profile ${url} is not known to this gateway and was not checked.`,
            'warning',
          ),
        );
      } else known.push(profile);
    }
    if (known.length > 0 || !nested) return known;
    const candidates =
      typeof resource.resourceType === 'string' ? byType.get(resource.resourceType) : undefined;
    return candidates?.length === 1 ? candidates : [];
  };

  const runProfile = (
    profile: CompiledProfile,
    resource: JsonObject,
    path: string,
    scope: ReferenceScope,
    issues: ValidationIssue[],
    root: JsonObject,
  ): void => {
    if (resource.resourceType !== profile.type) {
      issues.push(
        issue(
          'structure',
          path,
          `${path} is a ${typeof resource.resourceType === 'string' ? resource.resourceType : 'resource without type'}; profile ${profile.url} is for ${profile.type}.`,
        ),
      );
      return;
    }
    const walk: WalkContext = {
      issues,
      scope,
      rootResource: root,
      validateNested: (value: JsonValue, at: string, outer: ReferenceScope): void => {
        if (!isJsonObject(value)) return;
        const inner: ReferenceScope = { resource: value, bundle: outer.bundle };
        for (const nested of selectProfiles(value, at, issues, true))
          runProfile(nested, value, at, inner, issues, value);
      },
    };
    checkProfile(profile, resource, path, walk);
  };

  return {
    packageId: `${pkg.name}#${pkg.version}`,
    profiles: [...compiled.keys()],
    validate(resource: unknown, profileUrl?: string): ValidationIssue[] {
      let selected: CompiledProfile | undefined;
      if (profileUrl !== undefined) {
        selected = compiled.get(withoutVersion(profileUrl));
        if (selected === undefined) throw new Error(`profile ${profileUrl} is not loaded`);
      }
      if (!isJsonObject(resource))
        return [
          issue('structure', 'Resource', 'The content is not a FHIR resource (a JSON object).'),
        ];
      const root =
        typeof resource.resourceType === 'string' && /^[A-Z][A-Za-z]+$/.test(resource.resourceType)
          ? resource.resourceType
          : 'Resource';
      const issues = checkBaseStructure(validateBaseSchema, resource, root);
      checkEmptyElements(resource, root, issues);
      checkCoreInvariants(core, resource, root, issues);
      const scope: ReferenceScope = {
        resource,
        bundle: resource.resourceType === 'Bundle' ? resource : undefined,
      };
      const profiles =
        selected === undefined ? selectProfiles(resource, root, issues, false) : [selected];
      for (const profile of profiles) runProfile(profile, resource, root, scope, issues, resource);
      return dedupe(issues);
    },
  };
}

/** One issue per code and location (the schema and a profile often see the same missing element); invariants by key. */
function dedupe(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((found) => {
    const key = `${found.code} ${found.expression} ${found.code === 'invariant' ? found.text : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
