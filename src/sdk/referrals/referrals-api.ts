// Sends referrals (built, signed, encrypted, acknowledged), lists the inbox, and opens a referral verified.
import type { Bundle, Task } from '@medplum/fhirtypes';
import { buildReferral } from '../message/build-referral.js';
import type { ReferralInput } from '../message/referral-input.js';
import { encryptMessage } from '../message/encrypt-message.js';
import { signBundle } from '../../crypto/index.js';
import { requireDecryptionKey, type Session } from '../session.js';
import type { TasksApi } from '../tasks/tasks-api.js';
import { asResource } from '../transport/as-resource.js';
import { searchResources } from '../transport/pages.js';
import { unwrap } from '../transport/read-failure.js';
import { openJwe } from '../verify/open-jwe.js';
import { verifyAcknowledgement } from '../verify/verify-acknowledgement.js';
import { verifyReferral, type VerifiedReferral } from '../verify/verify-referral.js';

export interface SentReferral {
  /** The referral's one id: its Task's and its Bundle's at the gateway. */
  readonly taskId: string;
  /** `Bundle.identifier` value: send the same input with it again to retry safely. */
  readonly messageId: string;
  /** The message exactly as signed. */
  readonly message: Bundle;
  /** The gateway's signed proof of receipt, verified; keep it. */
  readonly acknowledgement: Bundle;
}

/** A referral message built and signed, not yet sent: submit it, and submit it again to retry. */
export interface PreparedReferral {
  /** The message exactly as signed. */
  readonly message: Bundle;
  readonly headerId: string;
  readonly messageId: string;
}

export interface OpenedReferral extends VerifiedReferral {
  readonly taskId: string;
  /** The Task after this retrieval (a first one moves it to `received`), ready for tasks.accept. */
  readonly task: Task;
}

export interface TaskFilter {
  /** FHIR Task statuses, e.g. `requested` or `['requested', 'received']`. */
  readonly status?: string | readonly string[];
  /** Page size (the gateway serves at most 100). */
  readonly count?: number;
}

export interface ReferralsApi {
  /** Builds, signs, encrypts and submits the referral; verifies the acknowledgement. */
  send(input: ReferralInput): Promise<SentReferral>;
  /** Builds and signs the message (profile VawReferralMessage) without sending it. */
  prepare(input: ReferralInput): Promise<PreparedReferral>;
  /** Encrypts a prepared message to the gateway, posts it and verifies the acknowledgement. */
  submit(prepared: PreparedReferral): Promise<SentReferral>;
  /** Tasks this institution owns (referrals to it), newest change first, across every page. */
  inbox(filter?: TaskFilter): AsyncGenerator<Task, void, undefined>;
  /** Tasks this institution requested (referrals it sent). */
  sent(filter?: TaskFilter): AsyncGenerator<Task, void, undefined>;
  /** `GET /fhir/Bundle/{taskId}` as JWE: decrypted, the sender's signature and chain and the consent decision verified. */
  open(taskId: string): Promise<OpenedReferral>;
}

export function createReferralsApi(session: Session, tasks: TasksApi): ReferralsApi {
  const { http } = session;
  const search = async function* (side: 'owner' | 'requester', filter: TaskFilter = {}) {
    const status = typeof filter.status === 'string' ? filter.status : filter.status?.join(',');
    const first = unwrap(
      await http.api.GET('/fhir/Task', {
        params: {
          query: {
            [side]: `Organization/${await session.me()}`,
            ...(status === undefined ? {} : { status }),
            ...(filter.count === undefined ? {} : { _count: filter.count }),
          },
        },
      }),
    );
    yield* searchResources<Task>(http, asResource<Bundle>(first, 'Bundle'), 'Task');
  };
  const prepare = async (input: ReferralInput): Promise<PreparedReferral> => {
    const now = session.now();
    const me = await session.me();
    const built = buildReferral(input, { sender: me, gateway: http.baseUrl }, now);
    const message = await signBundle(
      built.bundle,
      session.signingKey,
      { reference: `Organization/${me}` },
      now,
    );
    return { message, headerId: built.headerId, messageId: built.messageId };
  };
  const submit = async (prepared: PreparedReferral): Promise<SentReferral> => {
    const jwe = await encryptMessage(prepared.message, await session.gatewayKeys.encryptionJwk());
    const answer = unwrap(
      await http.api.POST('/fhir/$process-message', {
        body: jwe,
        bodySerializer: (body) => body,
        headers: { 'Content-Type': 'application/jose', Accept: 'application/fhir+json' },
      }),
    );
    const acknowledgement = asResource<Bundle>(answer, 'Bundle');
    const taskId = await verifyAcknowledgement(
      acknowledgement,
      prepared.headerId,
      session.gatewayKeys,
      session.now(),
    );
    return { taskId, messageId: prepared.messageId, message: prepared.message, acknowledgement };
  };
  return {
    prepare,
    submit,
    send: async (input) => submit(await prepare(input)),
    inbox: (filter) => search('owner', filter),
    sent: (filter) => search('requester', filter),
    open: async (taskId) => {
      const jwe = unwrap(
        await http.api.GET('/fhir/Bundle/{id}', {
          params: { path: { id: taskId } },
          headers: { Accept: 'application/jose' },
          parseAs: 'text',
        }),
      );
      const delivery = await openJwe(jwe, requireDecryptionKey(session), 'referral');
      const verified = await verifyReferral(delivery, {
        gatewayKeys: session.gatewayKeys,
        senderKeys: session.senderKeys,
        me: await session.me(),
        now: session.now(),
      });
      return { ...verified, taskId, task: await tasks.read(taskId) };
    },
  };
}
