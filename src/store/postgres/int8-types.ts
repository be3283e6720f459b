// Per-pool pg type parsing: bigint columns (seq, epoch milliseconds, counts) arrive as numbers.
import { TypeOverrides } from 'pg';

const INT8_OID = 20;

function parseInt8(text: string): number {
  const value = Number(text);
  // Why: a silently rounded seq or expiry would corrupt ordering and replay checks; fail loudly.
  if (!Number.isSafeInteger(value)) {
    throw new RangeError('a bigint column holds a value beyond Number.MAX_SAFE_INTEGER');
  }
  return value;
}

export function createTypeOverrides(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(INT8_OID, parseInt8);
  return overrides;
}
