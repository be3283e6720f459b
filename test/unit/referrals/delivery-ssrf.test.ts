// Which push destinations the delivery worker may call: allow-list patterns, restricted ranges, URL checks.
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';
import {
  checkDeliveryTarget,
  isHostAllowed,
  isRestrictedAddress,
  parseAllowedHosts,
  type ResolveHost,
} from '../../../src/referrals/delivery/index.js';

const noDns: ResolveHost = () => Promise.reject(new Error('DNS must not be asked'));
const dns =
  (...addresses: string[]): ResolveHost =>
  () =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isGatewayError(error), `a GatewayError, got ${String(error)}`);
    assert.equal(error.code, 'ENLACE_DELIVERY_ENDPOINT_NOT_ALLOWED');
    return error.message;
  }
  assert.fail('the target was accepted');
}

describe('delivery SSRF guard', () => {
  describe('isRestrictedAddress', () => {
    for (const address of [
      '169.254.169.254',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      'not-an-ip',
    ]) {
      it(`restricts ${address}`, () => {
        assert.equal(isRestrictedAddress(address), true);
      });
    }
    for (const address of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2001:4860:4860::8888']) {
      it(`lets ${address} through`, () => {
        assert.equal(isRestrictedAddress(address), false);
      });
    }
  });

  describe('allow-list patterns', () => {
    const allowed = parseAllowedHosts([
      'hook.shelter.example.org',
      '*.police.example.org:8443',
      '127.0.0.1:9000',
      '[::1]:9001',
    ]);

    it('matches an exact host on the default https port only', () => {
      assert.equal(isHostAllowed(allowed, 'hook.shelter.example.org', 443), true);
      assert.equal(isHostAllowed(allowed, 'HOOK.shelter.example.org', 443), true);
      assert.equal(isHostAllowed(allowed, 'hook.shelter.example.org', 8443), false);
      assert.equal(isHostAllowed(allowed, 'evil-hook.shelter.example.org', 443), false);
    });

    it('matches subdomains of a wildcard, not its apex nor a look-alike suffix', () => {
      assert.equal(isHostAllowed(allowed, 'a.police.example.org', 8443), true);
      assert.equal(isHostAllowed(allowed, 'a.b.police.example.org', 8443), true);
      assert.equal(isHostAllowed(allowed, 'police.example.org', 8443), false);
      assert.equal(isHostAllowed(allowed, 'xpolice.example.org', 8443), false);
      assert.equal(isHostAllowed(allowed, 'a.police.example.org', 443), false);
    });

    it('matches IP literals with their port, IPv6 in brackets', () => {
      assert.equal(isHostAllowed(allowed, '127.0.0.1', 9000), true);
      assert.equal(isHostAllowed(allowed, '127.0.0.1', 9002), false);
      assert.equal(isHostAllowed(allowed, '[::1]', 9001), true);
    });

    it('refuses a malformed pattern', () => {
      assert.throws(() => parseAllowedHosts(['https://hook.example.org']), /host\[:port\]/);
      assert.throws(() => parseAllowedHosts(['hook.example.org:70000']), /host\[:port\]/);
      assert.throws(() => parseAllowedHosts(['a.*.example.org']), /host\[:port\]/);
    });
  });

  describe('checkDeliveryTarget', () => {
    const settings = {
      allowedHosts: parseAllowedHosts([
        'hook.shelter.example.org',
        'inside.example.org',
        '10.0.0.7',
        '127.0.0.1:9000',
      ]),
      allowLoopbackHttp: true,
    };

    it('accepts an allowed https host with public addresses and pins the first answer', async () => {
      const target = await checkDeliveryTarget(
        'https://hook.shelter.example.org/fhir/hook',
        settings,
        dns('93.184.216.34', '93.184.216.35'),
      );
      assert.deepEqual(target.address, { address: '93.184.216.34', family: 4 });
      assert.equal(target.url.pathname, '/fhir/hook');
    });

    it('refuses a URL with credentials', async () => {
      assert.match(
        await refusal(
          checkDeliveryTarget('https://user:pw@hook.shelter.example.org/', settings, noDns),
        ),
        /credentials/,
      );
    });

    it('refuses plain http except to loopback in development', async () => {
      assert.match(
        await refusal(checkDeliveryTarget('http://hook.shelter.example.org/', settings, noDns)),
        /not https/,
      );
      await checkDeliveryTarget('http://127.0.0.1:9000/hook', settings, noDns);
      await refusal(
        checkDeliveryTarget(
          'http://127.0.0.1:9000/hook',
          { ...settings, allowLoopbackHttp: false },
          noDns,
        ),
      );
    });

    it('refuses a host that is not allow-listed without asking DNS', async () => {
      await refusal(checkDeliveryTarget('https://attacker.example.net/', settings, noDns));
      await refusal(checkDeliveryTarget('ftp://hook.shelter.example.org/', settings, noDns));
      await refusal(checkDeliveryTarget('not a url', settings, noDns));
    });

    it('refuses an allowed name when any of its addresses is private, loopback or metadata', async () => {
      for (const address of ['10.0.0.8', '127.0.0.1', '169.254.169.254', '::1', 'fd00::1']) {
        await refusal(
          checkDeliveryTarget(
            'https://inside.example.org/',
            settings,
            dns('93.184.216.34', address),
          ),
        );
      }
    });

    it('lets a private address through only when that address itself is listed', async () => {
      const target = await checkDeliveryTarget(
        'https://inside.example.org/',
        settings,
        dns('10.0.0.7'),
      );
      assert.equal(target.address.address, '10.0.0.7');
      await checkDeliveryTarget('https://10.0.0.7/', settings, noDns);
    });

    it('passes a DNS failure through as a retryable error', async () => {
      await assert.rejects(
        checkDeliveryTarget('https://inside.example.org/', settings, () =>
          Promise.reject(new Error('ENOTFOUND')),
        ),
        (error: unknown) => !isGatewayError(error),
      );
    });
  });

  describe('ENLACE_DELIVERY_ALLOWED_HOSTS', () => {
    it('is read as lowercase patterns', () => {
      const { config } = loadConfig({
        ENLACE_DELIVERY_ALLOWED_HOSTS: 'Hook.Example.org, *.police.example.org:8443,127.0.0.1:9000',
      });
      assert.deepEqual(config.deliveryAllowedHosts, [
        'hook.example.org',
        '*.police.example.org:8443',
        '127.0.0.1:9000',
      ]);
      assert.equal(config.deliveryHorizonHours, 24);
      assert.deepEqual(loadConfig({}).config.deliveryAllowedHosts, []);
    });

    it('refuses a malformed entry at start', () => {
      assert.throws(
        () => loadConfig({ ENLACE_DELIVERY_ALLOWED_HOSTS: 'hook.example.org,a.*.b' }),
        /ENLACE_DELIVERY_ALLOWED_HOSTS must be .*"a\.\*\.b"/,
      );
    });
  });
});
