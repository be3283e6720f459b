// Reads a JSON Patch (RFC 6902) on a Task into one closed-loop step; every other change is refused.
import { GatewayError } from '../../kernel/index.js';
import { isReferralStatus, REFERRAL_STATUS_SYSTEM, type ReferralStatus } from '../task-workflow.js';
import type { TaskChange } from './task-change.js';
import { isJsonObject, readAnnotation, readCodeableConcept, readOutput } from './task-values.js';

const MAX_OPERATIONS = 12;
const MAX_ITEMS = 10;

const invalid = (where: string, what: string): GatewayError =>
  new GatewayError('ENLACE_TASK_PATCH_INVALID', `${where} ${what}.`, { expression: [where] });

const unsupported = (index: number, what: string): GatewayError =>
  new GatewayError(
    'ENLACE_TASK_PATCH_UNSUPPORTED',
    `Operation ${index} (${what.slice(0, 80)}) is not supported: a Task can only be changed with ` +
      'add/replace of /status, /businessStatus, /statusReason and add to /note and /output.',
    { expression: [`Patch[${index}]`] },
  );

function readStatus(value: unknown, where: string): ReferralStatus {
  if (!isReferralStatus(value)) throw invalid(where, 'is not a referral status');
  return value;
}

function readBusinessStatus(value: unknown, where: string): ReferralStatus {
  const concept = readCodeableConcept(value, where);
  const coding = (concept.coding ?? []).find((c) => c.system === REFERRAL_STATUS_SYSTEM);
  if (coding === undefined) throw invalid(where, `needs a coding from ${REFERRAL_STATUS_SYSTEM}`);
  return readStatus(coding.code, `${where}.coding.code`);
}

/** One item (`/note/-`) or a list (`/note`), appended either way. */
function readItems<T>(
  value: unknown,
  single: boolean,
  read: (item: unknown, where: string) => T,
  where: string,
): T[] {
  const items: unknown[] = single ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  if (items.length === 0 || items.length > MAX_ITEMS) {
    throw invalid(where, `must add 1 to ${MAX_ITEMS} items`);
  }
  return items.map((item, index) => read(item, single ? where : `${where}[${index}]`));
}

/**
 * Why so narrow: the Task is the shared record of both institutions; each may only move the loop on
 * and say why — never rewrite who asked whom for what.
 */
export function readTaskPatch(body: unknown): TaskChange {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_OPERATIONS) {
    throw invalid('Patch', `must be a JSON Patch array of 1 to ${MAX_OPERATIONS} operations`);
  }
  const statuses: ReferralStatus[] = [];
  let statusReason: TaskChange['statusReason'];
  const notes: TaskChange['notes'][number][] = [];
  const outputs: TaskChange['outputs'][number][] = [];
  for (const [index, entry] of (body as readonly unknown[]).entries()) {
    const where = `Patch[${index}]`;
    if (!isJsonObject(entry) || typeof entry.op !== 'string' || typeof entry.path !== 'string') {
      throw invalid(where, 'must be an object with op and path');
    }
    const { op, path, value } = entry;
    const settable = op === 'add' || op === 'replace';
    if (settable && path === '/status') statuses.push(readStatus(value, `${where}.value`));
    else if (settable && path === '/businessStatus') {
      statuses.push(readBusinessStatus(value, `${where}.value`));
    } else if (settable && path === '/statusReason') {
      if (statusReason !== undefined) throw unsupported(index, 'a second statusReason');
      statusReason = readCodeableConcept(value, `${where}.value`);
    } else if (op === 'add' && (path === '/note/-' || path === '/note')) {
      notes.push(...readItems(value, path === '/note/-', readAnnotation, `${where}.value`));
    } else if (op === 'add' && (path === '/output/-' || path === '/output')) {
      outputs.push(...readItems(value, path === '/output/-', readOutput, `${where}.value`));
    } else {
      throw unsupported(index, `${op} ${path}`);
    }
  }
  const status = statuses[0];
  if (status === undefined) {
    throw invalid(
      'Patch',
      'must set /status (or /businessStatus): every change is a step of the loop',
    );
  }
  if (statuses.some((other) => other !== status)) {
    throw invalid('Patch', '/status and /businessStatus name different statuses');
  }
  return {
    status,
    ...(statusReason === undefined ? {} : { statusReason }),
    notes,
    outputs,
  };
}
