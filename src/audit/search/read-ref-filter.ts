// Reads agent, entity and patient, with :identifier, as the keys audit_event_ref holds.
import { PSEUDONYM_SYSTEM } from '../../kernel/index.js';
import { AUDIT_SEARCH_LIMITS, type Pseudonymize, type RefFilter } from './audit-search.js';
import { invalidParameter } from './invalid-parameter.js';

export type RefParam =
  'agent' | 'agent:identifier' | 'entity' | 'entity:identifier' | 'patient' | 'patient:identifier';

// A relative literal reference as the gateway writes them: `Organization/x`, `Consent/y/_history/2`.
const REFERENCE =
  /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
// `<keyId>.<base64url HMAC>`, as the pseudonymizer makes them.
const PSEUDONYM = /^[A-Za-z0-9_\-.]{1,160}$/;
const SYSTEM = /^[^\s|]{0,256}$/;

export const isRefParam = (name: string): name is RefParam =>
  /^(?:agent|entity|patient)(?::identifier)?$/.test(name);

function split(param: string, text: string): string[] {
  const parts = text.split(',');
  if (parts.length > AUDIT_SEARCH_LIMITS.maxValues) {
    throw invalidParameter(param, `takes at most ${AUDIT_SEARCH_LIMITS.maxValues} values`);
  }
  return parts;
}

/** `system|value`, with a value; the system may be empty (an identifier stored without one). */
function readIdentifier(param: string, text: string): { system: string; value: string } {
  const bar = text.indexOf('|');
  const system = text.slice(0, Math.max(bar, 0));
  const value = text.slice(bar + 1);
  if (
    bar < 0 ||
    !SYSTEM.test(system) ||
    value === '' ||
    value.length > AUDIT_SEARCH_LIMITS.maxValueLength
  ) {
    throw invalidParameter(param, 'must be comma-separated system|value identifiers');
  }
  return { system, value };
}

/**
 * Why pseudonymise here: the survivor's identifier is turned into her pseudonyms under every key
 * (so events from before a key rotation are found) and then dropped; only pseudonyms go further,
 * into the query, the links and the search's own AuditEvent.
 */
function readPatientIdentifier(text: string, pseudonymize: Pseudonymize): string[] {
  const identifier = readIdentifier('patient:identifier', text);
  // A pseudonym given as an identifier is already what the ledger holds; hashing it would miss.
  if (identifier.system === PSEUDONYM_SYSTEM) return [identifier.value];
  return [...pseudonymize(identifier)];
}

export function readRefFilter(
  param: RefParam,
  text: string,
  pseudonymize: Pseudonymize,
): RefFilter {
  const parts = split(param, text);
  switch (param) {
    case 'agent':
    case 'entity':
      if (!parts.every((part) => REFERENCE.test(part))) {
        throw invalidParameter(
          param,
          'must be comma-separated references such as Organization/<id>',
        );
      }
      return { param, kind: param, values: parts };
    case 'agent:identifier':
    case 'entity:identifier': {
      const values = parts.map((part) => {
        const { system, value } = readIdentifier(param, part);
        return `${system}|${value}`;
      });
      return { param, kind: param === 'agent:identifier' ? 'agent' : 'entity', values };
    }
    case 'patient':
      if (!parts.every((part) => PSEUDONYM.test(part))) {
        throw invalidParameter(param, "must be the survivor's gateway pseudonyms, comma-separated");
      }
      return { param, kind: 'patient', values: parts };
    case 'patient:identifier':
      return {
        param: 'patient',
        kind: 'patient',
        values: [...new Set(parts.flatMap((part) => readPatientIdentifier(part, pseudonymize)))],
      };
  }
}
