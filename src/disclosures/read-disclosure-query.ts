// Reads $disclosures' parameters: her identifier (pseudonymised at once) or her pseudonym, and the page language.
import { GatewayError, PSEUDONYM_SYSTEM } from '../kernel/index.js';
import type { SurvivorIdentifier } from '../consent/index.js';

export type ReportLanguage = 'es' | 'en';

export interface DisclosureQuery {
  /** Her pseudonyms, current key first; the identifier itself is not kept. */
  readonly pseudonyms: readonly string[];
  /** Set when `lang` was given; otherwise the page follows Accept-Language. */
  readonly lang?: ReportLanguage;
}

const KNOWN = new Set(['identifier', 'patient', 'lang', '_format']);
// `<keyId>.<base64url HMAC>`, as the pseudonymizer makes them.
const PSEUDONYM = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16,128}$/;
const MAX_VALUE = 256;

const invalid = (name: string, text: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `${name}: ${text}`, { expression: [name] });

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(name, 'may be given once.');
  return values[0];
}

function readPseudonym(text: string): string {
  if (!PSEUDONYM.test(text)) throw invalid('patient', 'must be a gateway pseudonym.');
  return text;
}

/**
 * `system|value` of the identifier the institution holds. Messages never repeat the value: it is
 * her national id or case number.
 */
function readIdentifier(text: string): SurvivorIdentifier {
  const bar = text.indexOf('|');
  const system = text.slice(0, Math.max(bar, 0));
  const value = text.slice(bar + 1);
  if (bar <= 0 || value === '' || system.length > MAX_VALUE || value.length > MAX_VALUE) {
    throw invalid('identifier', 'must be system|value, the identifier your institution holds.');
  }
  return { system, value };
}

/**
 * Why pseudonymise here: from this line on only pseudonyms exist — in the query, the audit record
 * and the answer — so the identifier can reach neither the database nor a log.
 */
export function readDisclosureQuery(
  query: URLSearchParams,
  pseudonymize: (identifier: SurvivorIdentifier) => readonly string[],
): DisclosureQuery {
  for (const name of query.keys()) {
    if (!KNOWN.has(name)) throw invalid(name.slice(0, 64), 'is not a parameter of $disclosures.');
  }
  const identifier = single(query, 'identifier');
  const patient = single(query, 'patient');
  if ((identifier === undefined) === (patient === undefined)) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'Give exactly one of identifier (system|value) or patient (her gateway pseudonym).',
      { expression: ['identifier'] },
    );
  }
  const lang = single(query, 'lang');
  if (lang !== undefined && lang !== 'es' && lang !== 'en') {
    throw invalid('lang', 'must be es or en.');
  }
  let pseudonyms: readonly string[];
  if (patient !== undefined) {
    pseudonyms = [readPseudonym(patient)];
  } else {
    const parsed = readIdentifier(identifier ?? '');
    // A pseudonym given as an identifier is already what the records hold; hashing it would miss.
    pseudonyms =
      parsed.system === PSEUDONYM_SYSTEM
        ? [readPseudonym(parsed.value)]
        : [...new Set(pseudonymize(parsed))];
  }
  return { pseudonyms, ...(lang === undefined ? {} : { lang }) };
}
