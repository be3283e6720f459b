// A gateway app serving the break-the-glass routes: stand-in tokens, an HMAC pseudonymizer, a movable clock.
import { authorizeAny } from '../../../../src/auth/index.js';
import { createHmac } from 'node:crypto';
import type { Express } from 'express';
import { createApp } from '../../../../src/app.js';
import type { ConsentRecorders, EmergencyDeps } from '../../../../src/consent/emergency/index.js';
import type {
  Pseudonym,
  Pseudonymizer,
  SurvivorIdentifier,
} from '../../../../src/consent/types.js';
import { emergencyRoutes } from '../../../../src/http/emergency-routes.js';
import {
  GatewayError,
  type Authorizer,
  type PartnerPrincipal,
  type Principal,
} from '../../../../src/kernel/index.js';
import {
  createTestServices,
  TEST_STARTED_AT,
  type TestServices,
} from '../../../support/test-app.js';

export const EMERGENCY_PATH = '/fhir/Consent/$emergency-access';
export const STOP_PATH = '/fhir/Consent/$emergency-access-stop';
export const PURPOSE = 'https://enlace.example.org/fhir/CodeSystem/consent-purpose';
export const RISK = 'https://enlace.example.org/fhir/CodeSystem/risk-level';
export const NATIONAL_ID = 'https://registro.example.org/cedula';
export const HOUR = 3_600_000;

const consentScopes = ['system/Consent.crus', 'system/Organization.rs'];

const partner = (partnerId: string, role: string, scopes = consentScopes): PartnerPrincipal => ({
  kind: 'partner',
  clientId: `client-${partnerId}`,
  partnerId,
  role,
  scopes,
  tokenId: `jti-${partnerId}`,
});

export const principals: Readonly<Record<string, Principal>> = {
  police: partner('police-central', 'police'),
  health: partner('hospital-norte', 'health'),
  shelter: partner('casa-refugio', 'shelter'),
  court: partner('juzgado-1', 'court', ['system/Consent.rs']),
  auditor: { kind: 'person', userId: 'u-a', username: 'marta', role: 'auditor', tokenId: 'p1' },
  operator: { kind: 'person', userId: 'u-o', username: 'ana', role: 'operator', tokenId: 'p2' },
};

/** Whether one granted `system/<Type>.<letters>` scope holds every letter the route needs. */
function covers(granted: readonly string[], required: string): boolean {
  const [type, letters = ''] = required.split('.');
  return granted.some((scope) => {
    const [grantedType, grantedLetters = ''] = scope.split('.');
    return (
      grantedType === type && letters.split('').every((letter) => grantedLetters.includes(letter))
    );
  });
}

/** Maps `Bearer <name>` to a principal and applies the requirement as the real authorizer does. */
export const byToken: Authorizer = (authorization, requirement) => {
  if (requirement.kind === 'any') {
    return authorizeAny(requirement.of, (alternative) => byToken(authorization, alternative));
  }
  const name = authorization?.replace(/^Bearer /, '') ?? '';
  const principal = Object.hasOwn(principals, name) ? principals[name] : undefined;
  if (principal === undefined || principal.kind !== requirement.kind) {
    return Promise.reject(new GatewayError('ENLACE_TOKEN_INVALID', 'The access token is invalid.'));
  }
  if (requirement.kind === 'person' && principal.kind === 'person') {
    if (!requirement.roles.includes(principal.role)) {
      return Promise.reject(new GatewayError('ENLACE_ROLE_INSUFFICIENT', 'Wrong role.'));
    }
  }
  if (
    requirement.kind === 'partner' &&
    principal.kind === 'partner' &&
    !covers(principal.scopes, requirement.scope)
  ) {
    return Promise.reject(new GatewayError('ENLACE_SCOPE_INSUFFICIENT', 'Scope missing.'));
  }
  return Promise.resolve(principal);
};

/** HMAC-SHA-256 pseudonyms under ordered keys (current first), as the real pseudonymizer shapes them. */
export function hmacPseudonymizer(
  keys: readonly { readonly id: string; readonly secret: string }[],
): Pseudonymizer {
  const under = (
    key: { id: string; secret: string },
    identifier: SurvivorIdentifier,
  ): Pseudonym => ({
    keyId: key.id,
    value: `${key.id}.${createHmac('sha256', key.secret)
      .update(`${identifier.system}|${identifier.value.trim()}`)
      .digest('base64url')}`,
  });
  const [current] = keys;
  if (current === undefined) throw new Error('at least one key');
  return {
    current: (identifier) => under(current, identifier),
    all: (identifier) => keys.map((key) => under(key, identifier)),
  };
}

export interface EmergencyApp {
  readonly app: Express;
  readonly test: TestServices;
  readonly deps: EmergencyDeps;
  readonly pseudonymizer: Pseudonymizer;
  /** Institutions that "recorded a consent" per pseudonym, as the consent records would say. */
  readonly recorders: Map<string, string[]>;
  /** Moves the clock the app and the deps share. */
  readonly advance: (ms: number) => void;
  readonly now: () => Date;
}

export async function startEmergencyApp(
  options: { readonly maxActivePerOrganization?: number } = {},
): Promise<EmergencyApp> {
  let now = TEST_STARTED_AT.getTime();
  const clock = () => new Date(now);
  const test = await createTestServices({ authorize: byToken, clock });
  const pseudonymizer = hmacPseudonymizer([
    { id: 'k2', secret: 'current test key' },
    { id: 'k1', secret: 'retired test key' },
  ]);
  const recorders = new Map<string, string[]>();
  const consentRecorders: ConsentRecorders = (_db, pseudonyms) =>
    Promise.resolve(pseudonyms.flatMap((pseudonym) => recorders.get(pseudonym) ?? []));
  const policy = test.services.policy.emergency;
  const deps: EmergencyDeps = {
    store: test.store,
    clock,
    policy:
      options.maxActivePerOrganization === undefined
        ? policy
        : { ...policy, maxActivePerOrganization: options.maxActivePerOrganization },
    pseudonymizer,
    consentRecorders,
  };
  const app = createApp(test.services, { routes: emergencyRoutes(deps) });
  return {
    app,
    test,
    deps,
    pseudonymizer,
    recorders,
    advance: (ms) => {
      now += ms;
    },
    now: clock,
  };
}

export interface RequestOptions {
  readonly patient?: string | null;
  readonly purpose?: string;
  readonly justification?: string;
  readonly riskLevel?: string;
  readonly hours?: number;
  readonly grant?: string;
}

export const JUSTIFICATION =
  'Ongoing assault reported by neighbours; she is unconscious and cannot give consent.';

/** A $emergency-access Parameters body; `patient: null` leaves the patient out. */
export function emergencyParameters(options: RequestOptions = {}): object {
  const parameter: object[] = [];
  if (options.patient !== null) {
    parameter.push({
      name: 'patient',
      valueIdentifier: { system: NATIONAL_ID, value: options.patient ?? '1-2345-6789' },
    });
  }
  parameter.push(
    { name: 'purpose', valueCoding: { system: PURPOSE, code: options.purpose ?? 'emergency' } },
    { name: 'justification', valueString: options.justification ?? JUSTIFICATION },
  );
  if (options.riskLevel !== undefined) {
    parameter.push({ name: 'riskLevel', valueCoding: { system: RISK, code: options.riskLevel } });
  }
  if (options.hours !== undefined) parameter.push({ name: 'hours', valueInteger: options.hours });
  if (options.grant !== undefined) parameter.push({ name: 'grant', valueId: options.grant });
  return { resourceType: 'Parameters', parameter };
}

/** The value of a named parameter in an answer's Parameters. */
export function parameterValue(body: unknown, name: string): unknown {
  const parameters = body as { parameter?: { name: string; [key: string]: unknown }[] };
  const entry = parameters.parameter?.find((candidate) => candidate.name === name);
  if (entry === undefined) return undefined;
  const key = Object.keys(entry).find((candidate) => candidate.startsWith('value'));
  return key === undefined ? undefined : entry[key];
}
