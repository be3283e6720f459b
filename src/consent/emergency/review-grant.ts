// Auditors' review of break-the-glass grants: the queue, and one final review per grant, audited.
import type { Kysely } from 'kysely';
import { actorFromPrincipal, type AuditActor } from '../../audit/index.js';
import { GatewayError, type PersonPrincipal } from '../../kernel/index.js';
import type { Database, Store } from '../../store/index.js';
import { auditingRefusals } from '../../audit/index.js';
import { reviewOutcomes, REVIEW_NOTE_MAX_CHARS, type ReviewOutcome } from './emergency-codes.js';
import { buildRefusalEvent, buildReviewEvent, reviewSubtype } from './emergency-audit.js';
import type { GrantRecord } from './grant-record.js';
import { findGrant, listGrants, markReviewed, type ReviewQuery } from './grant-repository.js';
import { isJsonObject } from './read-parameters.js';

export interface ReviewDecision {
  readonly outcome: ReviewOutcome;
  readonly note?: string;
}

export interface ReviewInput {
  readonly id: string;
  readonly auditor: PersonPrincipal;
  readonly body: unknown;
  readonly requestId: string;
}

export const MAX_REVIEW_PAGE = 500;

/** Every grant lands here unreviewed; `reviewed: false` is the queue still to work through. */
export function listGrantsForReview(
  db: Kysely<Database>,
  query: ReviewQuery,
): Promise<GrantRecord[]> {
  return listGrants(db, { ...query, limit: Math.min(query.limit, MAX_REVIEW_PAGE) });
}

const invalidReview = (message: string, field: string): GatewayError =>
  new GatewayError('ENLACE_EMERGENCY_REVIEW_INVALID', message, { expression: [field] });

export function readReviewDecision(body: unknown): ReviewDecision {
  if (!isJsonObject(body)) throw invalidReview('The body must be a JSON object.', '$');
  const outcome = reviewOutcomes.find((known) => known === body.outcome);
  if (outcome === undefined) {
    throw invalidReview(`outcome must be one of ${reviewOutcomes.join(', ')}.`, 'outcome');
  }
  const note = body.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > REVIEW_NOTE_MAX_CHARS)) {
    throw invalidReview(
      `note must be text of at most ${REVIEW_NOTE_MAX_CHARS} characters.`,
      'note',
    );
  }
  const trimmed = note?.trim() ?? '';
  // Why: an access judged unjustified leads to follow-up; the finding must say what was wrong.
  if (outcome === 'unjustified' && trimmed === '') {
    throw invalidReview('A grant judged unjustified needs a note saying why.', 'note');
  }
  return { outcome, ...(trimmed === '' ? {} : { note: trimmed }) };
}

export async function reviewGrant(
  input: ReviewInput,
  deps: { readonly store: Store; readonly clock: () => Date },
): Promise<GrantRecord> {
  const now = deps.clock();
  const actor: AuditActor = actorFromPrincipal(input.auditor);
  return auditingRefusals(
    deps.store,
    (error) =>
      buildRefusalEvent(error, {
        subtype: reviewSubtype,
        actor,
        at: now,
        requestId: input.requestId,
        grantId: input.id.slice(0, 64),
      }),
    async () => {
      const decision = readReviewDecision(input.body);
      return deps.store.transaction(async (unit) => {
        const grant = await findGrant(unit.db, input.id);
        if (grant === undefined) {
          throw new GatewayError(
            'ENLACE_EMERGENCY_GRANT_NOT_FOUND',
            `No emergency grant has the id ${input.id.slice(0, 64)}.`,
          );
        }
        const recorded = await markReviewed(unit.db, {
          id: grant.id,
          at: now,
          by: input.auditor.username,
          outcome: decision.outcome,
          note: decision.note,
        });
        // Why final: a review is evidence; changing it would let a finding be quietly softened.
        if (!recorded) {
          throw new GatewayError(
            'ENLACE_EMERGENCY_ALREADY_REVIEWED',
            `Grant ${grant.id} has already been reviewed.`,
          );
        }
        const reviewed: GrantRecord = {
          ...grant,
          review: { at: now, by: input.auditor.username, ...decision },
        };
        await unit.audit.append(buildReviewEvent(reviewed, actor, now, input.requestId));
        return reviewed;
      });
    },
  );
}
