// A notice is believed only as the gateway signed it, and only by the institution it is addressed to.
import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair } from 'jose';
import type { GatewayKey } from '../../../src/crypto/index.js';
import {
  buildNoticeMessage,
  signNoticeMessage,
} from '../../../src/referrals/delivery/build-notice-message.js';
import { EnlaceVerificationError } from '../../../src/sdk/index.js';
import type { GatewayKeys } from '../../../src/sdk/trust/gateway-keys.js';
import { verifyNotice } from '../../../src/sdk/verify/verify-notice.js';

const AT = new Date('2026-03-10T15:20:00.000Z');

const rejected = (error: unknown) =>
  error instanceof EnlaceVerificationError && error.check === 'notice';

describe('the SDK’s verification of a notice', () => {
  let key: GatewayKey;
  let gatewayKeys: GatewayKeys;

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = {
      ...(await exportJWK(pair.publicKey)),
      kid: 'gw-1',
      alg: 'ES256',
      use: 'sig',
    };
    key = { kid: 'gw-1', alg: 'ES256', use: 'sig', privateKey: pair.privateKey, publicJwk };
    gatewayKeys = {
      signatureJwk: () => Promise.resolve(publicJwk),
      encryptionJwk: () => Promise.reject(new Error('not used')),
      resolver: () => Promise.resolve({ key: pair.publicKey, info: 'gateway' as const }),
    };
  });

  const notice = (recipient = 'comisaria-norte'): Promise<Bundle> =>
    signNoticeMessage(
      buildNoticeMessage({
        id: 'd-1',
        kind: 'task-update',
        recipient,
        referralId: 'r-1',
        sequence: 3,
        createdAt: AT.toISOString(),
        content: { resourceType: 'Task', id: 'r-1', status: 'accepted', intent: 'order' },
        publicUrl: 'https://gw',
      }),
      key,
      AT,
    );
  const verify = (message: Bundle, me = 'comisaria-norte') =>
    verifyNotice(message, { gatewayKeys, me, now: AT });

  it('reads a genuine notice: its id, kind, referral and number, and content', async () => {
    const verified = await verify(await notice());
    assert.equal(verified.id, 'd-1');
    assert.equal(verified.kind, 'task-update');
    assert.deepEqual(verified.referral, { taskId: 'r-1', sequence: 3 });
    assert.equal(verified.content.resourceType, 'Task');
    assert.equal(verified.queuedAt, AT.toISOString());
  });

  it('refuses a notice addressed to another institution', async () => {
    await assert.rejects(verify(await notice('refugio-esperanza')), rejected);
  });

  it('refuses a notice changed after the gateway signed it', async () => {
    const text = JSON.stringify(await notice()).replace('"accepted"', '"rejected"');
    await assert.rejects(verify(JSON.parse(text) as Bundle), rejected);
  });

  it('refuses a notice signed by another key', async () => {
    const other = await generateKeyPair('ES256', { extractable: true });
    const { signature: _signature, ...unsigned } = await notice();
    assert.ok(_signature, 'the genuine notice was signed');
    const forged = await signNoticeMessage(unsigned, { ...key, privateKey: other.privateKey }, AT);
    await assert.rejects(verify(forged), rejected);
  });
});
