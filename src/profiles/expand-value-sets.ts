// Expands ValueSets once at load: the package's own from its CodeSystems, core ones from the build-time expansions.
import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { coreValueSets } from './generated/core-value-sets.js';

export interface Expansion {
  readonly url: string;
  /** `system|code` */
  readonly codings: ReadonlySet<string>;
  /** Codes alone, for elements of type code whose system is implied. */
  readonly codes: ReadonlySet<string>;
  /** Grammar-based systems included whole (syntax checked, not enumerated). */
  readonly grammars: ReadonlySet<string>;
}

export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
}

/** MIME type syntax (RFC 6838 §4.2, with optional parameters), for urn:ietf:bcp:13. */
const GRAMMAR_SYNTAX: Readonly<Record<string, RegExp>> = {
  'urn:ietf:bcp:13':
    /^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}(\s*;\s*[^\s;=]+=[^;]+)*$/,
};

export function grammarAccepts(system: string, code: string): boolean {
  return GRAMMAR_SYNTAX[system]?.test(code) ?? false;
}

const withoutVersion = (canonical: string): string => canonical.split('|')[0] ?? canonical;

function conceptCodes(concepts: readonly CodeSystemConcept[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) => [c.code, ...conceptCodes(c.concept)]);
}

const codeOf = (coding: string): string => coding.slice(coding.indexOf('|') + 1);

/**
 * Resolves a ValueSet canonical to its expansion. Own ValueSets may include whole CodeSystems of
 * the package (complete content) or listed concepts; anything else (filters, unknown systems) is
 * refused, so a required binding is never silently unchecked.
 */
export function createExpander(
  valueSets: ReadonlyMap<string, ValueSet>,
  codeSystems: ReadonlyMap<string, CodeSystem>,
): (canonical: string) => Expansion {
  const cache = new Map<string, Expansion>();
  const expand = (canonical: string, seen: readonly string[]): Expansion => {
    const url = withoutVersion(canonical);
    const cached = cache.get(url);
    if (cached !== undefined) return cached;
    if (seen.includes(url)) throw new ExpansionError(`ValueSet ${url} includes itself`);
    const core = coreValueSets[url];
    const codings = new Set<string>(core?.codes ?? []);
    const grammars = new Set<string>(core?.grammars ?? []);
    if (core === undefined) {
      const valueSet = valueSets.get(url);
      if (valueSet?.compose === undefined)
        throw new ExpansionError(`cannot expand ValueSet ${url}`);
      if (valueSet.compose.exclude !== undefined)
        throw new ExpansionError(`ValueSet ${url}: exclude is not supported`);
      for (const include of valueSet.compose.include) {
        if (include.filter !== undefined)
          throw new ExpansionError(`ValueSet ${url}: filters are not supported`);
        for (const nested of include.valueSet ?? []) {
          const inner = expand(nested, [...seen, url]);
          inner.codings.forEach((c) => codings.add(c));
          inner.grammars.forEach((g) => grammars.add(g));
        }
        if (include.system === undefined) continue;
        if (include.concept !== undefined) {
          include.concept.forEach((c) => codings.add(`${include.system ?? ''}|${c.code}`));
          continue;
        }
        const system = codeSystems.get(include.system);
        if (system?.content !== 'complete') {
          throw new ExpansionError(
            `ValueSet ${url}: CodeSystem ${include.system} is not in the package with complete content`,
          );
        }
        conceptCodes(system.concept).forEach((code) =>
          codings.add(`${include.system ?? ''}|${code}`),
        );
      }
    }
    const expansion: Expansion = {
      url,
      codings,
      codes: new Set([...codings].map(codeOf)),
      grammars,
    };
    cache.set(url, expansion);
    return expansion;
  };
  return (canonical) => expand(canonical, []);
}
