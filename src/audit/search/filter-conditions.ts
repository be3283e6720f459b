// The WHERE conditions of an AuditEvent search, each answerable from an index that ends in seq.
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../../store/index.js';
import type { Dialect } from '../../store/ports.js';
import type { DateRange, RefFilter, TokenFilter, TokenValue } from './audit-search.js';

type Eb = ExpressionBuilder<Database, 'audit_event'>;

/** Where the coding's system sits in the stored event: the columns keep only codes. */
const SYSTEM_PATHS = {
  type_code: { sqlite: '$.type.system', postgres: '{type,system}' },
  subtype_code: { sqlite: '$.subtype[0].system', postgres: '{subtype,0,system}' },
} as const;

/** `recorded` in [from, to): the (recorded, seq) index; ISO instants of years 0000-9999 sort as text. */
export function recordedWithin(eb: Eb, range: DateRange): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (Number.isFinite(range.from)) {
    conditions.push(eb('recorded', '>=', new Date(range.from).toISOString()));
  }
  if (Number.isFinite(range.to)) {
    conditions.push(eb('recorded', '<', new Date(range.to).toISOString()));
  }
  return conditions;
}

/**
 * The code from its (column, seq) index; a system, when given, is read from the stored event only
 * for rows whose code already matched. Action and outcome carry no system (it is implied).
 */
function systemIs(eb: Eb, dialect: Dialect, column: TokenFilter['column'], system: string) {
  if (column !== 'type_code' && column !== 'subtype_code') return eb.lit(true);
  const path = SYSTEM_PATHS[column][dialect];
  const value =
    dialect === 'sqlite'
      ? sql<string | null>`json_extract(${eb.ref('resource')}, ${sql.lit(path)})`
      : sql<string | null>`(${eb.ref('resource')}::jsonb #>> ${sql.lit(path)}::text[])`;
  return system === '' ? eb(value, 'is', null) : eb(value, '=', system);
}

export function tokenMatches(eb: Eb, dialect: Dialect, filter: TokenFilter): Expression<SqlBool> {
  const anySystem = filter.values.filter((value) => value.system === undefined);
  const withSystem = filter.values.filter(
    (value): value is Required<TokenValue> => value.system !== undefined,
  );
  const alternatives: Expression<SqlBool>[] = withSystem.map(({ code, system }) =>
    eb.and([eb(filter.column, '=', code), systemIs(eb, dialect, filter.column, system)]),
  );
  if (anySystem.length > 0) {
    alternatives.push(
      eb(
        filter.column,
        'in',
        anySystem.map(({ code }) => code),
      ),
    );
  }
  return eb.or(alternatives);
}

/** An agent, entity or patient key of the event: the audit_event_ref primary key (kind, value, seq). */
export function refMatches(eb: Eb, filter: RefFilter): Expression<SqlBool> {
  return eb(
    'audit_event.seq',
    'in',
    eb
      .selectFrom('audit_event_ref')
      .select('audit_event_ref.seq')
      .where('audit_event_ref.kind', '=', filter.kind)
      .where('audit_event_ref.value', 'in', [...filter.values]),
  );
}
