// Reads GET /fhir/Task parameters strictly: owner, requester, status, business-status, _lastUpdated, and the paging ones.
import {
  parseSearch,
  searchDigest as digestOf,
  type SearchParamDeclaration,
  type SearchPaging,
} from '../../fhir/index.js';
import { GatewayError } from '../../kernel/index.js';
import { isReferralStatus, REFERRAL_STATUS_SYSTEM, type ReferralStatus } from '../task-workflow.js';

export const taskSearchParams = [
  'owner',
  'requester',
  'status',
  'business-status',
  '_lastUpdated',
] as const;

/** Newest first by default; `_lastUpdated` then the referral id is the keyset of both orders. */
export const TASK_SEARCH_PAGING: SearchPaging = {
  sorts: ['-_lastUpdated', '_lastUpdated'],
  limits: { defaultCount: 20, maxCount: 100 },
  total: false,
};

/** The parameters as the CapabilityStatement documents them, beside the parser that reads them. */
export const TASK_SEARCH_PARAM_DOCS: readonly SearchParamDeclaration[] = [
  { name: 'owner', type: 'reference', documentation: 'The recipient: Organization/<id>' },
  { name: 'requester', type: 'reference', documentation: 'The sender: Organization/<id>' },
  { name: 'status', type: 'token', documentation: 'FHIR Task.status, comma-separated' },
  {
    name: 'business-status',
    type: 'token',
    documentation: 'Referral status code (referral-status code system), comma-separated',
  },
  {
    name: '_lastUpdated',
    type: 'date',
    documentation: 'ge, gt, le or lt; may appear twice for a range',
  },
];

export type Comparator = 'ge' | 'gt' | 'le' | 'lt';

export interface TaskSearch {
  readonly owner?: string;
  readonly requester?: string;
  readonly statuses?: readonly ReferralStatus[];
  readonly businessStatuses?: readonly ReferralStatus[];
  readonly lastUpdated: readonly { readonly comparator: Comparator; readonly instant: string }[];
  readonly order: 'asc' | 'desc';
  readonly count: number;
  readonly cursor?: string;
}

const PARTNER_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const FHIR_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const MAX_VALUES = 8;

const invalid = (name: string, what: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', `${name} ${what}.`, { expression: [name] });

function readOrganization(name: string, value: string): string {
  const id = value.startsWith('Organization/') ? value.slice('Organization/'.length) : value;
  if (!PARTNER_ID.test(id)) throw invalid(name, 'must be Organization/<id> or <id>');
  return id;
}

function readStatuses(name: string, value: string, withSystem: boolean): ReferralStatus[] {
  const values = value.split(',');
  if (values.length > MAX_VALUES) throw invalid(name, `takes at most ${MAX_VALUES} values`);
  return values.map((token) => {
    let code = token;
    if (withSystem && token.includes('|')) {
      const [system, rest] = token.split('|', 2);
      if (system !== '' && system !== REFERRAL_STATUS_SYSTEM) {
        throw invalid(name, `must use the system ${REFERRAL_STATUS_SYSTEM}`);
      }
      code = rest ?? '';
    }
    if (!isReferralStatus(code)) throw invalid(name, `has an unknown status ${code.slice(0, 40)}`);
    return code;
  });
}

function readLastUpdated(value: string): TaskSearch['lastUpdated'][number] {
  const comparator = value.slice(0, 2);
  const text = value.slice(2);
  if (!['ge', 'gt', 'le', 'lt'].includes(comparator) || !FHIR_DATE_TIME.test(text)) {
    throw invalid('_lastUpdated', 'must be ge, gt, le or lt followed by a FHIR date or dateTime');
  }
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw invalid('_lastUpdated', 'is not a valid date');
  return { comparator: comparator as Comparator, instant: instant.toISOString() };
}

/** `_lastUpdated` may appear twice (a range); every other parameter at most once, unknown ones refused. */
export function readTaskSearch(query: URLSearchParams): TaskSearch {
  const lastUpdated = query.getAll('_lastUpdated');
  if (lastUpdated.length > 2) throw invalid('_lastUpdated', 'may appear at most twice');
  const rest = new URLSearchParams([...query].filter(([name]) => name !== '_lastUpdated'));
  const { params, count, sort, cursor } = parseSearch(
    rest,
    taskSearchParams.filter((name) => name !== '_lastUpdated'),
    TASK_SEARCH_PAGING,
  );
  const get = (name: string): string | undefined => params.get(name);
  const owner = get('owner');
  const requester = get('requester');
  const status = get('status');
  const businessStatus = get('business-status');
  return {
    ...(owner === undefined ? {} : { owner: readOrganization('owner', owner) }),
    ...(requester === undefined ? {} : { requester: readOrganization('requester', requester) }),
    ...(status === undefined ? {} : { statuses: readStatuses('status', status, false) }),
    ...(businessStatus === undefined
      ? {}
      : { businessStatuses: readStatuses('business-status', businessStatus, true) }),
    lastUpdated: lastUpdated.map(readLastUpdated),
    order: sort === '_lastUpdated' ? 'asc' : 'desc',
    count,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** A digest of everything that selects and orders rows, so a cursor only continues the search it came from. */
export function searchDigest(search: TaskSearch): string {
  const selection = [
    search.owner ?? null,
    search.requester ?? null,
    search.statuses ?? null,
    search.businessStatuses ?? null,
    search.lastUpdated,
    search.order,
  ];
  return digestOf(selection);
}
