// Step 7a — the Task as the gateway stores it: server-assigned id, version 1, status requested, resolvable references only.
import type { Bundle, Reference, Task } from '@medplum/fhirtypes';
import { PSEUDONYM_SYSTEM } from '../../kernel/index.js';
import { REFERRAL_STATUS_SYSTEM } from '../task-workflow.js';

/** RFC 3986: the identifier is a URI — here the `fullUrl` the sender gave the resource in its message. */
const URI_SYSTEM = 'urn:ietf:rfc:3986';
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export interface StoredTaskContext {
  /** The referral id, which is also the Task id. */
  readonly id: string;
  readonly sender: string;
  readonly recipient: string;
  /** Her pseudonym: the only name the gateway has for her. */
  readonly pseudonym: string;
  /** The submitted message, in which the Task's own references resolve. */
  readonly message: Bundle;
}

/**
 * The ServiceRequest as a logical reference, by the URI it has in the message. Why not the message's
 * own `urn:uuid:` reference: that resolves only inside the message, and the Task is read outside it.
 */
function serviceRequestOf(focus: Reference | undefined, message: Bundle): Reference | undefined {
  const reference = focus?.reference;
  if (reference === undefined) return undefined;
  const uri = HAS_SCHEME.test(reference)
    ? reference
    : (message.entry ?? []).find(
        ({ resource }) =>
          resource !== undefined && `${resource.resourceType}/${resource.id ?? ''}` === reference,
      )?.fullUrl;
  return uri === undefined
    ? { type: 'ServiceRequest', display: 'the ServiceRequest of the referral message' }
    : { type: 'ServiceRequest', identifier: { system: URI_SYSTEM, value: uri } };
}

/**
 * Why rebuilt from chosen elements rather than copied: only workflow facts go in (who, what status,
 * when); narrative, notes and inputs stay in the sealed message. Every reference resolves for both
 * parties: the two Organizations through the directory, the ServiceRequest and the survivor as
 * logical references (a display or identifier from her record could carry her name or number, so
 * none is copied). Status and businessStatus are the gateway's: a referral always starts `requested`.
 */
export function buildStoredTask(submitted: Task, context: StoredTaskContext, at: Date): Task {
  const focus = serviceRequestOf(submitted.focus, context.message);
  return {
    resourceType: 'Task',
    id: context.id,
    meta: {
      versionId: '1',
      lastUpdated: at.toISOString(),
      ...(submitted.meta?.profile === undefined ? {} : { profile: [...submitted.meta.profile] }),
    },
    status: 'requested',
    businessStatus: {
      coding: [{ system: REFERRAL_STATUS_SYSTEM, code: 'requested', display: 'Requested' }],
    },
    intent: 'order',
    ...(submitted.priority === undefined ? {} : { priority: submitted.priority }),
    ...(focus === undefined ? {} : { focus }),
    for: { type: 'Patient', identifier: { system: PSEUDONYM_SYSTEM, value: context.pseudonym } },
    ...(submitted.authoredOn === undefined ? {} : { authoredOn: submitted.authoredOn }),
    lastModified: at.toISOString(),
    requester: { reference: `Organization/${context.sender}` },
    owner: { reference: `Organization/${context.recipient}` },
  };
}
