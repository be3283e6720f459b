import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bundle, MessageHeader, Parameters, Resource, Task } from '@medplum/fhirtypes';
import { parse as parseYaml } from 'yaml';
import { readEvaluateParameters } from '../../src/consent/gate/read-evaluate-parameters.js';
import { readEmergencyRequest } from '../../src/consent/emergency/read-emergency-request.js';
import { checkConsentInput } from '../../src/consent/records/check-consent-input.js';
import { readRevocationPatch } from '../../src/consent/records/read-revocation-patch.js';
import { readJoseSignature } from '../../src/crypto/index.js';
import { readAcknowledgement } from '../../src/http/delivery-routes.js';
import { DEFAULT_EMERGENCY_POLICY } from '../../src/partners/index.js';
import { loadProfiles, PROFILE_URLS, type ValidationIssue } from '../../src/profiles/index.js';
import {
  buildNoticeMessage,
  DELIVERY_SEQUENCE_EXTENSION,
  noticeKinds,
  type NoticeKind,
} from '../../src/referrals/delivery/index.js';
import { checkMessageProfile } from '../../src/referrals/submission/check-message-profile.js';
import { checkMessageShape } from '../../src/referrals/submission/check-message-shape.js';
import { messageHandlers } from '../../src/referrals/submission/message-handlers.js';
import { selectHandler } from '../../src/referrals/submission/select-handler.js';
import type { SubmittedMessage } from '../../src/referrals/submission/submission-types.js';
import { readTaskPatch } from '../../src/referrals/task-updates/index.js';
import {
  checkTransition,
  isReferralStatus,
  referralStatuses,
} from '../../src/referrals/task-workflow.js';
import {
  filesUnderExamples,
  loadExample,
  manifest,
  namedFiles,
  readJson,
} from '../support/example-manifest.js';

const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));
const OPENAPI = fileURLToPath(new URL('../../openapi/enlace.yaml', import.meta.url));
const GATEWAY = 'Organization/enlace-gateway';

const validator = loadProfiles(PROFILES);
const errorsOf = (issues: readonly ValidationIssue[]): ValidationIssue[] =>
  issues.filter((found) => found.severity === 'error');
const conceptsOf = (codeSystem: string): string[] =>
  (readJson(`${PROFILES}CodeSystem-${codeSystem}.json`) as { concept: { code: string }[] }).concept
    .map(({ code }) => code)
    .sort();

/**
 * The steps `$process-message` runs on a message before it looks at the signature, in its order
 * (src/referrals/submission/process-message.ts): shape, profile (R4 structure, invariants, every
 * urn:uuid resolved inside the Bundle, the Enlace profiles) and the event's handler.
 */
function checkAsProcessMessage(bundle: unknown): { message: SubmittedMessage; event: string } {
  const message = checkMessageShape(bundle);
  checkMessageProfile(validator, message);
  return { message, event: selectHandler(messageHandlers, message).event };
}

/** The compact JWS a Signature carries, split; its protected header decoded. */
function jwsOf(bundle: Bundle): { header: Record<string, unknown>; payload: string } {
  const [header, payload, signature] = readJoseSignature(bundle.signature).split('.');
  assert.ok(header !== undefined && signature !== undefined && signature.length > 0);
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: payload ?? '',
  };
}

describe('examples/: what is listed', () => {
  it('lists every JSON file under examples/, and every file it lists exists', () => {
    const listed = namedFiles();
    const own = listed.filter((file) => file.startsWith('examples/'));
    assert.deepEqual([...new Set(own)].sort(), filesUnderExamples().sort());
    for (const file of listed) assert.doesNotThrow(() => readFileSync(file), file);
  });

  it('has one message example for every event $process-message accepts, and none for another', () => {
    const accepted = Object.keys(messageHandlers).sort();
    assert.deepEqual(manifest.messages.map((example) => example.event).sort(), accepted);
    // Every event of the CodeSystem is either accepted here or one the gateway only sends.
    const sentOnly = conceptsOf('message-event').filter((code) => !accepted.includes(code));
    assert.deepEqual(sentOnly, ['consent-revoked']);
    assert.ok(manifest.notices.some((notice) => notice.kind === 'consent-revoked'));
  });

  it('has one notice example for every kind of notice the gateway sends', () => {
    assert.deepEqual(conceptsOf('delivery-notice'), [...noticeKinds].sort());
    assert.deepEqual(
      manifest.notices.map((example) => example.kind).sort(),
      [...noticeKinds].sort(),
    );
  });

  it('has one Task PATCH for every step of the closed loop', () => {
    const steps = Object.keys(referralStatuses).filter((status) => status !== 'requested');
    assert.deepEqual(manifest.taskPatches.map((example) => example.status).sort(), steps.sort());
  });

  it('names, for every request example, an operation of openapi/enlace.yaml', () => {
    const document = parseYaml(readFileSync(OPENAPI, 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    for (const example of manifest.requests) {
      const operation = document.paths[example.path]?.[example.method.toLowerCase()];
      assert.equal(
        operation?.operationId,
        example.operationId,
        `${example.method} ${example.path}`,
      );
    }
    const operations = manifest.requests.map((example) => example.operationId);
    for (const needed of ['createConsent', 'patchConsent', 'emergencyAccess']) {
      assert.ok(operations.includes(needed), needed);
    }
  });
});

describe('examples/: messages pass the checks of $process-message', () => {
  for (const example of manifest.messages) {
    it(`${example.file} is a ${example.event} message from ${example.from} to ${example.to}`, () => {
      const bundle = loadExample(example.file) as Bundle;
      const { message, event } = checkAsProcessMessage(bundle);
      assert.equal(event, example.event);
      assert.equal(message.header.sender?.reference, `Organization/${example.from}`);
      assert.deepEqual(
        message.header.destination?.map((destination) => destination.receiver?.reference),
        [`Organization/${example.to}`],
      );
      // Signed by its sender (the placeholder stands where the real detached JWS goes).
      assert.equal(bundle.signature?.who.reference, `Organization/${example.from}`);
      assert.equal(jwsOf(bundle).payload, '', 'a detached JWS has an empty payload');
      assert.deepEqual(errorsOf(validator.validate(bundle)), []);
    });

    const { reply } = example;
    if (reply === undefined) continue;
    it(`${reply} answers ${example.file} as the gateway does`, () => {
      const request = checkMessageShape(loadExample(example.file));
      const answer = loadExample(reply) as Bundle;
      const { message, event } = checkAsProcessMessage(answer);
      assert.equal(event, 'acknowledgement');
      assert.equal(message.header.response?.identifier, request.headerId);
      assert.equal(message.header.response.code, 'ok');
      assert.equal(message.header.sender?.reference, GATEWAY);
      assert.equal(answer.signature?.who.reference, GATEWAY);
      assert.equal(
        message.header.destination?.[0]?.receiver?.reference,
        `Organization/${example.from}`,
      );
    });
  }

  it('the acknowledgement answers the referral request by its MessageHeader id', () => {
    const byEvent = (event: string): SubmittedMessage => {
      const file = manifest.messages.find((example) => example.event === event)?.file ?? '';
      return checkMessageShape(loadExample(file));
    };
    assert.equal(
      byEvent('acknowledgement').header.response?.identifier,
      byEvent('referral-request').headerId,
    );
  });

  it('the Task messages carry the status of their event and the version last seen', () => {
    for (const event of ['referral-update', 'referral-cancel']) {
      const file = manifest.messages.find((example) => example.event === event)?.file ?? '';
      const bundle = loadExample(file) as Bundle;
      const header = bundle.entry?.[0]?.resource as MessageHeader;
      const focus = header.focus?.[0]?.reference;
      const task = bundle.entry?.find((entry) => entry.fullUrl === focus)?.resource as Task;
      assert.equal(task.resourceType, 'Task', `${file}: MessageHeader.focus names the Task`);
      assert.match(task.id ?? '', /^[A-Za-z0-9\-.]{1,64}$/);
      assert.match(task.meta?.versionId ?? '', /^[1-9]\d*$/);
      const change = readTaskPatch([{ op: 'replace', path: '/status', value: task.status }]);
      if (event === 'referral-cancel') assert.equal(change.status, 'cancelled');
      else assert.notEqual(change.status, 'cancelled');
    }
  });
});

describe('examples/: notices are the messages the gateway builds', () => {
  for (const example of manifest.notices) {
    it(`${example.file} is a ${example.kind} notice to ${example.to}`, () => {
      const notice = loadExample(example.file) as Bundle;
      const header = notice.entry?.[0]?.resource as MessageHeader;
      const content = notice.entry?.[1]?.resource as Resource;
      const sequence = header.extension?.find((ext) => ext.url === DELIVERY_SEQUENCE_EXTENSION);
      const part = (url: string) => sequence?.extension?.find((ext) => ext.url === url);
      const { signature, ...unsigned } = notice;
      // Rebuilt from its own parts by the gateway's builder, the example is what it sends.
      const rebuilt = buildNoticeMessage({
        id: notice.id ?? '',
        kind: example.kind as NoticeKind,
        recipient: example.to,
        referralId: part('referral')?.valueReference?.reference?.slice('Task/'.length) ?? null,
        sequence: part('number')?.valuePositiveInt ?? null,
        createdAt: notice.timestamp ?? '',
        content,
        publicUrl: header.source.endpoint.replace(/\/fhir$/, ''),
      });
      assert.deepEqual(unsigned, rebuilt);
      assert.equal(signature?.who.reference, GATEWAY);
      assert.equal(jwsOf(notice).header.alg, 'ES256');
      // Why one issue may stand: the validator's R4 schema holds only the resource types the
      // gateway accepts from partners, and Parameters is not one; the builder above vouches for it.
      const errors = errorsOf(validator.validate(notice)).filter(
        (found) =>
          content.resourceType !== 'Parameters' ||
          found.code !== 'not-supported' ||
          found.expression !== 'Bundle.entry[1].resource',
      );
      assert.deepEqual(errors, []);
    });
  }

  const contentOf = (kind: string): Resource => {
    const file = manifest.notices.find((example) => example.kind === kind)?.file ?? '';
    return (loadExample(file) as Bundle).entry?.[1]?.resource as Resource;
  };

  it('a task-update carries a VawReferralTask as the gateway serves it', () => {
    const task = contentOf('task-update') as Task;
    assert.deepEqual(errorsOf(validator.validate(task, PROFILE_URLS.referralTask)), []);
    assert.ok(isReferralStatus(task.status));
    assert.equal(task.businessStatus?.coding?.[0]?.code, task.status);
    // Only references that resolve outside a message: the directory, and logical ones.
    assert.equal(task.focus?.reference, undefined);
    assert.equal(task.for?.reference, undefined);
  });

  it('an acknowledgement carries the recipient’s acknowledgement message as it was sent', () => {
    const file = manifest.messages.find((example) => example.event === 'acknowledgement')?.file;
    assert.deepEqual(contentOf('acknowledgement'), loadExample(file ?? ''));
  });

  for (const kind of ['consent-revoked', 'break-glass']) {
    it(`a ${kind} notice carries a Parameters naming its event`, () => {
      const parameters = contentOf(kind) as Parameters;
      assert.equal(parameters.resourceType, 'Parameters');
      assert.equal(parameters.parameter?.[0]?.name, 'event');
      assert.equal(parameters.parameter[0].valueCoding?.code, kind);
    });
  }
});

describe('examples/: requests are read as the gateway reads them', () => {
  const request = (operationId: string) => {
    const example = manifest.requests.find((candidate) => candidate.operationId === operationId);
    assert.ok(example, operationId);
    return { example, body: loadExample(example.file) };
  };

  it('the Consent to record conforms to VawConsent and is recorded as its sender', () => {
    const { example, body } = request('createConsent');
    assert.deepEqual(errorsOf(validator.validate(body, PROFILE_URLS.consent)), []);
    const input = checkConsentInput(body, example.as);
    assert.deepEqual(input.consent.organization, [{ reference: `Organization/${example.as}` }]);
  });

  it('the consent evaluation, the revocation and the emergency access are read', () => {
    const evaluation = readEvaluateParameters(request('evaluateConsent').body);
    assert.equal(evaluation.purpose, 'shelter');
    assert.ok(readRevocationPatch(request('patchConsent').body).length > 0);
    assert.equal(
      readEmergencyRequest(request('emergencyAccess').body, DEFAULT_EMERGENCY_POLICY).riskLevel,
      'extreme',
    );
  });

  it('the notice acknowledgement names the notices its sender received', () => {
    const { example, body } = request('acknowledgeNotices');
    const received = manifest.notices
      .filter((notice) => notice.to === example.as)
      .map((notice) => (loadExample(notice.file) as Bundle).id);
    const named = readAcknowledgement(body);
    assert.ok(named.length > 0);
    for (const id of named) assert.ok(received.includes(id), id);
  });
});

describe('examples/: a Task PATCH for each step', () => {
  for (const example of manifest.taskPatches) {
    it(`${example.file}: ${example.from} → ${example.status} by the ${example.by}`, () => {
      const change = readTaskPatch(loadExample(example.file));
      assert.equal(change.status, example.status);
      const { from } = example;
      if (!isReferralStatus(from)) assert.fail(`${from} is not a referral status`);
      checkTransition({
        from,
        to: change.status,
        by: example.by,
        hasStatusReason: change.statusReason !== undefined,
        hasOutput: change.outputs.length > 0,
      });
    });
  }
});
