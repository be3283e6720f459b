// The overlap window of a key rotation: `0`, or whole seconds, minutes, hours or days (`90m`, `24h`, `7d`).
import { GatewayError } from '../kernel/index.js';
import type { ClientKey } from './partner.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const OVERLAP = /^(\d{1,7})([smhd])$/;

/** Long enough for a certificate rollout across a ministry's offices, short enough to end. */
export const MAX_OVERLAP_DAYS = 90;

/** The overlap in milliseconds, or ENLACE_PARTNER_INVALID naming `overlap`. */
export function parseOverlap(text: string): number {
  const match = text === '0' ? ['0', '0', 's'] : OVERLAP.exec(text);
  const amount = Number(match?.[1]);
  const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
  const ms = unit === undefined ? Number.NaN : amount * UNIT_MS[unit];
  if (!Number.isFinite(ms) || ms > MAX_OVERLAP_DAYS * UNIT_MS.d) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      `The overlap must be 0 or a whole number of s, m, h or d (e.g. 24h, 7d), at most ${MAX_OVERLAP_DAYS} days.`,
      { expression: ['overlap'] },
    );
  }
  return ms;
}

/** Whether the key may still be used at `at`: until its retirement instant, exclusive. */
export function isKeyActive(key: ClientKey, at: Date): boolean {
  return key.retiresAt === undefined || at.getTime() < Date.parse(key.retiresAt);
}

/** How an operator reads a key's state at `at`. */
export function keyState(key: ClientKey, at: Date): 'active' | 'retiring' | 'retired' {
  if (key.retiresAt === undefined) return 'active';
  return isKeyActive(key, at) ? 'retiring' : 'retired';
}
