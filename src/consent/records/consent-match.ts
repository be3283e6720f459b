// If-None-Exist on POST /fhir/Consent: the header's search parameters, read strictly, and the visible consents they match.
import type { Consent } from '@medplum/fhirtypes';
import { parseSearch } from '../../fhir/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import type { Pseudonymizer, SurvivorIdentifier } from '../types.js';
import type { ConsentContext, ConsentRecord, ConsentStatus } from './consent-record.js';
import {
  findConsent,
  findConsentIdsByIdentifier,
  findConsentsOf,
  lockConditionalCreates,
} from './consent-repository.js';
import { canSeeConsent } from './consent-visibility.js';

export const consentMatchParams = ['identifier', 'patient', 'status'] as const;

/** What an If-None-Exist header asks for; every criterion given must hold. */
export interface ConsentMatch {
  /** `Consent.identifier`, the consent's business identifier. */
  readonly identifier?: SurvivorIdentifier;
  /** The survivor, by the identifier the caller holds (matched by pseudonym, as search does). */
  readonly patient?: SurvivorIdentifier;
  readonly status?: ConsentStatus;
}

const HEADER = 'If-None-Exist';

const invalid = (text: string, cause?: unknown): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `${HEADER}: ${text}`, {
    expression: [HEADER],
    ...(cause === undefined ? {} : { cause }),
  });

/** `<system>|<value>`, both required: a bare value could match another institution's numbering. */
function readToken(name: string, token: string | undefined): SurvivorIdentifier | undefined {
  if (token === undefined) return undefined;
  const bar = token.indexOf('|');
  const system = token.slice(0, bar);
  const value = token.slice(bar + 1);
  if (bar < 1 || value === '' || token.length > 400) {
    throw invalid(`${name} must be <system>|<value>.`);
  }
  return { system, value };
}

/**
 * Reads the header with the search parser (an unknown or repeated parameter is refused, never
 * ignored: a misspelt criterion must not match more than the caller meant). At least `identifier`
 * or `patient` is required, so the condition is never "any consent you can see".
 */
export function readConsentMatch(header: string | string[] | undefined): ConsentMatch | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join('&') : header;
  let params: ReadonlyMap<string, string>;
  try {
    params = parseSearch(new URLSearchParams(text.trim()), consentMatchParams).params;
  } catch (error) {
    if (error instanceof GatewayError) throw invalid(error.message, error);
    throw error;
  }
  const identifier = readToken('identifier', params.get('identifier'));
  const patient = readToken('patient', params.get('patient'));
  const status = params.get('status');
  if (status !== undefined && status !== 'active' && status !== 'inactive') {
    throw invalid('status must be active or inactive.');
  }
  if (identifier === undefined && patient === undefined) {
    throw invalid('name the consent by identifier=<system>|<value> or patient=<system>|<value>.');
  }
  return {
    ...(identifier === undefined ? {} : { identifier }),
    ...(patient === undefined ? {} : { patient }),
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * The consents matching every criterion among those the caller may see (the recorder and the
 * institutions they name, as search shows them): another institution's consent is never found,
 * so a conditional create cannot probe for consents it may not know exist.
 */
export async function findMatchingConsents(
  unit: UnitOfWork,
  match: ConsentMatch,
  partnerId: string,
  ctx: Pick<ConsentContext, 'pseudonymizer' | 'vault'>,
): Promise<ConsentRecord[]> {
  let candidates: ConsentRecord[] | undefined;
  if (match.identifier !== undefined) {
    // Under every pseudonym key, so identifiers kept before a key rotation are matched too.
    const digests = ctx.pseudonymizer.all(match.identifier).map((digest) => digest.value);
    const ids = await findConsentIdsByIdentifier(unit.db, digests);
    const found = await Promise.all(ids.map((id) => findConsent(unit.db, ctx.vault, id)));
    candidates = found.filter((record) => record !== undefined);
  }
  if (match.patient !== undefined) {
    const pseudonyms = ctx.pseudonymizer.all(match.patient).map((pseudonym) => pseudonym.value);
    const hers = await findConsentsOf(unit.db, ctx.vault, pseudonyms);
    const ids = new Set(hers.map((record) => record.id));
    candidates = candidates === undefined ? hers : candidates.filter((c) => ids.has(c.id));
  }
  return (candidates ?? []).filter(
    (record) =>
      (match.status === undefined || record.status === match.status) &&
      canSeeConsent(record, partnerId),
  );
}

/**
 * What a consent's business identifiers are kept as: the keyed digest (pseudonym) of each
 * `system|value`, never the identifier, since a partner may number a consent with her national id.
 */
export const identifierDigests = (consent: Consent, pseudonymizer: Pseudonymizer): string[] =>
  (consent.identifier ?? []).flatMap(({ system, value }) =>
    system === undefined || value === undefined
      ? []
      : [pseudonymizer.current({ system, value }).value],
  );

/**
 * In the create's transaction: the one visible consent the condition matches, or undefined when
 * none does (then the caller records it); several answer 412. Why the lock before the search: two
 * identical requests racing must not both find nothing and both record.
 */
export async function findExistingConsent(
  unit: UnitOfWork,
  match: ConsentMatch,
  partnerId: string,
  ctx: Pick<ConsentContext, 'store' | 'pseudonymizer' | 'vault'>,
): Promise<ConsentRecord | undefined> {
  await lockConditionalCreates(unit.db, ctx.store.dialect);
  const found = await findMatchingConsents(unit, match, partnerId, ctx);
  if (found.length > 1) {
    throw new GatewayError(
      'ENLACE_CONDITIONAL_CREATE_AMBIGUOUS',
      `If-None-Exist matches ${found.length} consents; narrow it so that at most one matches.`,
      { expression: [HEADER] },
    );
  }
  return found[0];
}
