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

export interface NetworkPolicyDocument {
  readonly roles: Readonly<Record<PartnerRole, { readonly scopes: readonly string[] }>>;
  readonly routes: Readonly<
    Partial<Record<MessageEvent, Readonly<Partial<Record<RoleOrAny, readonly RoleOrAny[]>>>>>
  >;
}

export interface NetworkPolicy {
  readonly document: NetworkPolicyDocument;
  /** SMART v2 scopes the role may be granted (the ceiling; requests are narrowed to it). */
  scopesFor(role: PartnerRole): readonly string[];
  /** Whether a partner of `sender` role may send `event` to a partner of `recipient` role. */
  allowsRoute(event: MessageEvent, sender: PartnerRole, recipient: PartnerRole): boolean;
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
