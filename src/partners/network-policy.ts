// The network policy: scopes each role may hold and which roles may send each message event to which.
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { partnerRoles, type PartnerRole } from './roles.js';

export const messageEvents = [
  'referral-request',
  'referral-update',
  'referral-cancel',
  'acknowledgement',
  'consent-revoked',
] as const;

export type MessageEvent = (typeof messageEvents)[number];

/** `*` stands for every role, on either side of a route. */
type RoleOrAny = PartnerRole | '*';

/** Governed break-the-glass: who may act without a consent permit, and for how long at most. */
export interface EmergencyPolicy {
  /** Roles that may open an emergency grant; every other role is refused. */
  readonly roles: readonly PartnerRole[];
  /** The longest grant, in hours; requests default to the lesser of 24 and this. */
  readonly maxHours: number;
  /** Grants one institution may hold in force at once, so a stolen client cannot sweep a registry. */
  readonly maxActivePerOrganization: number;
}

export const DEFAULT_EMERGENCY_POLICY: EmergencyPolicy = {
  roles: ['police', 'health'],
  maxHours: 24,
  maxActivePerOrganization: 10,
};

export interface NetworkPolicyDocument {
  readonly roles: Readonly<Record<PartnerRole, { readonly scopes: readonly string[] }>>;
  readonly routes: Readonly<
    Partial<Record<MessageEvent, Readonly<Partial<Record<RoleOrAny, readonly RoleOrAny[]>>>>>
  >;
  readonly emergency?: Partial<EmergencyPolicy>;
}

export interface NetworkPolicy {
  readonly document: NetworkPolicyDocument;
  /** SMART v2 scopes the role may be granted (the ceiling; requests are narrowed to it). */
  scopesFor(role: PartnerRole): readonly string[];
  /** Whether a partner of `sender` role may send `event` to a partner of `recipient` role. */
  allowsRoute(event: MessageEvent, sender: PartnerRole, recipient: PartnerRole): boolean;
  /** The break-the-glass rules, with defaults for what the document leaves out. */
  readonly emergency: EmergencyPolicy;
}

export const DEFAULT_POLICY_PATH = new URL('../../policy/network-policy.json', import.meta.url);

const roleOrAny = { enum: [...partnerRoles, '*'] };
// A scope ceiling in SMART v2 form: system/<Type or *>.<c?r?u?d?s?>.
const scopePattern = '^system/([A-Z][A-Za-z]+|\\*)\\.c?r?u?d?s?$';

const schema = {
  type: 'object',
  required: ['roles', 'routes'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    roles: {
      type: 'object',
      required: [...partnerRoles],
      additionalProperties: false,
      properties: Object.fromEntries(
        partnerRoles.map((role) => [
          role,
          {
            type: 'object',
            required: ['scopes'],
            additionalProperties: false,
            properties: {
              scopes: {
                type: 'array',
                uniqueItems: true,
                maxItems: 64,
                items: { type: 'string', pattern: scopePattern },
              },
            },
          },
        ]),
      ),
    },
    routes: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        messageEvents.map((event) => [
          event,
          {
            type: 'object',
            propertyNames: roleOrAny,
            additionalProperties: { type: 'array', uniqueItems: true, items: roleOrAny },
          },
        ]),
      ),
    },
    emergency: {
      type: 'object',
      additionalProperties: false,
      properties: {
        $comment: { type: 'string' },
        roles: { type: 'array', uniqueItems: true, items: { enum: [...partnerRoles] } },
        maxHours: { type: 'integer', minimum: 1, maximum: 72 },
        maxActivePerOrganization: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile<NetworkPolicyDocument>(schema);

/** Validates a parsed policy document; throws with every problem listed, each with its JSON path. */
export function toNetworkPolicy(document: unknown, source = 'network policy'): NetworkPolicy {
  if (!validate(document)) {
    const problems = (validate.errors ?? [])
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
    throw new Error(`${source} is invalid: ${problems}`);
  }
  const policy = document;
  return {
    document: policy,
    scopesFor: (role) => policy.roles[role].scopes,
    emergency: {
      roles: policy.emergency?.roles ?? DEFAULT_EMERGENCY_POLICY.roles,
      maxHours: policy.emergency?.maxHours ?? DEFAULT_EMERGENCY_POLICY.maxHours,
      maxActivePerOrganization:
        policy.emergency?.maxActivePerOrganization ??
        DEFAULT_EMERGENCY_POLICY.maxActivePerOrganization,
    },
    allowsRoute: (event, sender, recipient) => {
      const table = policy.routes[event];
      if (table === undefined) return false;
      const allowed = [...(table[sender] ?? []), ...(table['*'] ?? [])];
      return allowed.includes(recipient) || allowed.includes('*');
    },
  };
}

export async function loadNetworkPolicy(
  path: string | URL = DEFAULT_POLICY_PATH,
): Promise<NetworkPolicy> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`network policy ${String(path)} is not valid JSON`);
  }
  return toNetworkPolicy(parsed, `network policy ${String(path)}`);
}
