// The messages a cluster primary sends its workers over the IPC channel.
import type { IntegrityVerdict } from '../audit/ledger/index.js';

/** The verdict of the audit log scan the primary runs for the whole gateway. */
export interface IntegrityMessage {
  readonly type: 'enlace:integrity';
  readonly verdict: IntegrityVerdict;
}

export type WorkerMessage = IntegrityMessage;

export function isIntegrityMessage(message: unknown): message is IntegrityMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, verdict } = message as { type?: unknown; verdict?: unknown };
  if (type !== 'enlace:integrity' || typeof verdict !== 'object' || verdict === null) return false;
  const { ok, reason } = verdict as { ok?: unknown; reason?: unknown };
  return ok === true || (ok === false && typeof reason === 'string');
}
