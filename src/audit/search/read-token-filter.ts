// Reads type, subtype, action and outcome: comma-separated `code`, `system|code` or `|code` alternatives.
import { AUDIT_SEARCH_LIMITS, type TokenFilter, type TokenValue } from './audit-search.js';
import { invalidParameter } from './invalid-parameter.js';

type TokenParam = TokenFilter['param'];

const COLUMNS = {
  type: 'type_code',
  subtype: 'subtype_code',
  action: 'action',
  outcome: 'outcome',
} as const satisfies Record<TokenParam, TokenFilter['column']>;

/** AuditEvent.action and .outcome are FHIR `code`s: a closed value set with an implied system. */
const CLOSED: Partial<
  Record<TokenParam, { readonly system: string; readonly codes: readonly string[] }>
> = {
  action: { system: 'http://hl7.org/fhir/audit-event-action', codes: ['C', 'R', 'U', 'D', 'E'] },
  outcome: { system: 'http://hl7.org/fhir/audit-event-outcome', codes: ['0', '4', '8', '12'] },
};

// FHIR `code` (no leading, trailing or double whitespace) and a URI without whitespace; no escapes.
const CODE = /^[^\s,|\\]+(?: [^\s,|\\]+)*$/;
const SYSTEM = /^[^\s,|\\]+$/;

export const isTokenParam = (name: string): name is TokenParam => Object.hasOwn(COLUMNS, name);

function readValue(param: TokenParam, text: string): TokenValue {
  const bar = text.indexOf('|');
  const code = bar < 0 ? text : text.slice(bar + 1);
  const system = bar < 0 ? undefined : text.slice(0, bar);
  if (
    text.length > AUDIT_SEARCH_LIMITS.maxValueLength ||
    !CODE.test(code) ||
    (system !== undefined && system !== '' && !SYSTEM.test(system))
  ) {
    throw invalidParameter(param, 'must be comma-separated code, system|code or |code values');
  }
  const closed = CLOSED[param];
  if (closed === undefined) return system === undefined ? { code } : { code, system };
  // Why refuse rather than match nothing: the set is closed, so a typo is certain, not a miss.
  if (!closed.codes.includes(code) || (system !== undefined && system !== closed.system)) {
    throw invalidParameter(
      param,
      `must be one of ${closed.codes.join(', ')} (system ${closed.system})`,
    );
  }
  return { code };
}

export function readTokenFilter(param: TokenParam, text: string): TokenFilter {
  const parts = text.split(',');
  if (parts.length > AUDIT_SEARCH_LIMITS.maxValues) {
    throw invalidParameter(param, `takes at most ${AUDIT_SEARCH_LIMITS.maxValues} values`);
  }
  return { param, column: COLUMNS[param], values: parts.map((part) => readValue(param, part)) };
}
