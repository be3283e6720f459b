// The SDK's codes are the FHIR package's: each list and system URL checked against profiles/ and the gateway's own constants.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DATA_CLASS_SYSTEM as GATEWAY_DATA_CLASS_SYSTEM,
  PURPOSE_SYSTEM as GATEWAY_PURPOSE_SYSTEM,
  dataClasses as gatewayDataClasses,
  purposes as gatewayPurposes,
} from '../../../src/consent/index.js';
import { REVOCATION_REASON_EXTENSION as GATEWAY_REVOCATION } from '../../../src/consent/records/consent-constants.js';
import { DELIVERY_SEQUENCE_EXTENSION as GATEWAY_SEQUENCE } from '../../../src/referrals/delivery/build-notice-message.js';
import { NOTICE_SYSTEM as GATEWAY_NOTICE_SYSTEM } from '../../../src/referrals/delivery/notice-parameters.js';
import * as sdk from '../../../src/sdk/index.js';

interface CodeSystem {
  readonly url: string;
  readonly concept: readonly { readonly code: string }[];
}

const codeSystem = (name: string): CodeSystem =>
  JSON.parse(
    readFileSync(new URL(`../../../profiles/CodeSystem-${name}.json`, import.meta.url), 'utf8'),
  ) as CodeSystem;

describe('the SDK vocabulary', () => {
  for (const [name, system, codes] of [
    ['data-class', sdk.DATA_CLASS_SYSTEM, sdk.dataClasses],
    ['service-requested', sdk.SERVICE_SYSTEM, sdk.services],
    ['form-of-violence', sdk.VIOLENCE_SYSTEM, sdk.formsOfViolence],
    ['risk-level', sdk.RISK_LEVEL_SYSTEM, sdk.riskLevels],
    ['organization-role', sdk.ORGANIZATION_ROLE_SYSTEM, sdk.organizationRoles],
    ['delivery-notice', sdk.NOTICE_SYSTEM, sdk.noticeKinds],
    ['referral-status', sdk.REFERRAL_STATUS_SYSTEM, undefined],
    ['message-event', sdk.MESSAGE_EVENT_SYSTEM, undefined],
  ] as const) {
    it(`names ${name} as profiles/ does`, () => {
      const defined = codeSystem(name);
      assert.equal(system, defined.url);
      if (codes !== undefined) {
        assert.deepEqual(
          [...codes],
          defined.concept.map((concept) => concept.code),
        );
      }
    });
  }

  it('offers every consent purpose but emergency, which only break-the-glass grants', () => {
    assert.equal(sdk.PURPOSE_SYSTEM, codeSystem('consent-purpose').url);
    assert.equal(sdk.PURPOSE_SYSTEM, GATEWAY_PURPOSE_SYSTEM);
    assert.deepEqual(
      [...sdk.purposes],
      gatewayPurposes.filter((purpose) => purpose !== 'emergency'),
    );
  });

  it('agrees with the constants the gateway builds and reads messages with', () => {
    assert.equal(sdk.DATA_CLASS_SYSTEM, GATEWAY_DATA_CLASS_SYSTEM);
    assert.deepEqual([...sdk.dataClasses], [...gatewayDataClasses]);
    assert.equal(sdk.NOTICE_SYSTEM, GATEWAY_NOTICE_SYSTEM);
    assert.equal(sdk.DELIVERY_SEQUENCE_EXTENSION, GATEWAY_SEQUENCE);
    assert.equal(sdk.REVOCATION_REASON_EXTENSION, GATEWAY_REVOCATION);
  });
});
