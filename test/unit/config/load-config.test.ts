import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../../src/config/index.js';
import { refusal } from './config-refusal.js';

type Env = Readonly<Record<string, string | undefined>>;

describe('loadConfig', () => {
  describe('defaults', () => {
    let loaded: LoadedConfig;
    before(() => {
      loaded = loadConfig({});
    });

    it('listens on 127.0.0.1:8080', () => {
      assert.equal(loaded.config.host, '127.0.0.1');
      assert.equal(loaded.config.port, 8080);
    });

    it('derives the public URL from host and port', () => {
      assert.equal(loaded.config.publicUrl, 'http://127.0.0.1:8080');
    });

    it('limits bodies to 1 MiB and JSON nesting to 64 levels', () => {
      assert.equal(loaded.config.bodyLimitBytes, 1024 * 1024);
      assert.equal(loaded.config.jsonMaxDepth, 64);
    });

    it('resolves the data directory to an absolute path', () => {
      assert.ok(isAbsolute(loaded.config.dataDir));
      assert.equal(loaded.config.dataDir, resolve('data'));
    });

    it('uses the embedded database, the development profile and info logging', () => {
      assert.equal(loaded.config.databaseUrl, undefined);
      assert.equal(loaded.config.profile, 'development');
      assert.equal(loaded.config.logLevel, 'info');
    });

    it('gives the request timeout more time than the headers timeout', () => {
      assert.ok(loaded.config.requestTimeoutMs > loaded.config.headersTimeoutMs);
    });

    it('has no warnings', () => {
      assert.deepEqual(loaded.warnings, []);
    });

    it('reads external anchors and CRLs from ./certs in development', () => {
      assert.equal(loaded.config.certsDir, resolve('certs'));
    });
  });

  describe('the worker processes', () => {
    it('is one process in development and one per available core in production', () => {
      assert.equal(loadConfig({}).config.workers, 1);
      const production = loadConfig({ ENLACE_PROFILE: 'production' });
      assert.equal(production.config.workers, Math.min(64, availableParallelism()));
    });

    it('takes ENLACE_WORKERS in either profile', () => {
      assert.equal(loadConfig({ ENLACE_WORKERS: '3' }).config.workers, 3);
      const production = loadConfig({ ENLACE_PROFILE: 'production', ENLACE_WORKERS: '1' });
      assert.equal(production.config.workers, 1);
    });

    it('refuses a count outside 1 to 64, naming the variable', () => {
      for (const value of ['0', '65', 'two', '1.5']) {
        assert.equal(
          refusal({ ENLACE_WORKERS: value }),
          `ENLACE_WORKERS must be a number of worker processes from 1 to 64 (got "${value}")`,
        );
      }
    });
  });

  describe('the certs folder', () => {
    it('has no default in production, where anchors are named explicitly', () => {
      const production = loadConfig({ ENLACE_PROFILE: 'production' });
      assert.equal(production.config.certsDir, undefined);
    });

    it('is the configured ENLACE_CERTS_DIR in either profile, resolved', () => {
      for (const profile of ['development', 'production']) {
        const { config } = loadConfig({
          ENLACE_PROFILE: profile,
          ENLACE_CERTS_DIR: 'pki/national',
        });
        assert.equal(config.certsDir, resolve('pki/national'));
      }
    });
  });

  describe('valid values', () => {
    it('reads every variable it is given', () => {
      const { config } = loadConfig({
        ENLACE_HOST: '0.0.0.0',
        ENLACE_PORT: '9443',
        ENLACE_PROFILE: 'production',
        ENLACE_DATA_DIR: '/var/lib/enlace',
        ENLACE_DATABASE_URL: 'postgres://enlace:pw@db:5432/enlace',
        ENLACE_LOG_LEVEL: 'warn',
        ENLACE_BODY_LIMIT: '2048',
        ENLACE_JSON_MAX_DEPTH: '16',
      });
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.port, 9443);
      assert.equal(config.profile, 'production');
      assert.equal(config.dataDir, '/var/lib/enlace');
      assert.equal(config.databaseUrl, 'postgres://enlace:pw@db:5432/enlace');
      assert.equal(config.logLevel, 'warn');
      assert.equal(config.bodyLimitBytes, 2048);
      assert.equal(config.jsonMaxDepth, 16);
    });

    it('drops trailing slashes from the public URL', () => {
      const { config } = loadConfig({ ENLACE_PUBLIC_URL: 'https://gw.example.org/enlace/' });
      assert.equal(config.publicUrl, 'https://gw.example.org/enlace');
    });

    it('brackets an IPv6 host in the derived public URL', () => {
      const { config } = loadConfig({ ENLACE_HOST: '::1', ENLACE_PORT: '8443' });
      assert.equal(config.publicUrl, 'http://[::1]:8443');
    });

    it('treats an empty variable as unset', () => {
      assert.equal(loadConfig({ ENLACE_PORT: '' }).config.port, 8080);
    });
  });

  describe('bad values', () => {
    const cases: readonly [Env, string, readonly string[]][] = [
      [{ ENLACE_PORT: 'abc' }, 'ENLACE_PORT', ['an integer from 0 to 65535', '"abc"']],
      [{ ENLACE_PORT: '70000' }, 'ENLACE_PORT', ['an integer from 0 to 65535', '"70000"']],
      [{ ENLACE_PORT: '80.5' }, 'ENLACE_PORT', ['an integer from 0 to 65535']],
      [{ ENLACE_PORT: '-1' }, 'ENLACE_PORT', ['an integer from 0 to 65535']],
      [{ ENLACE_LOG_LEVEL: 'loud' }, 'ENLACE_LOG_LEVEL', ['one of fatal, error, warn', '"loud"']],
      [{ ENLACE_BODY_LIMIT: '12' }, 'ENLACE_BODY_LIMIT', ['from 1024 to 67108864', '"12"']],
      [{ ENLACE_PUBLIC_URL: 'ftp://x' }, 'ENLACE_PUBLIC_URL', ['http(s) URL', '"ftp://x"']],
      [{ ENLACE_PUBLIC_URL: 'https://x/?a=1' }, 'ENLACE_PUBLIC_URL', ['without query']],
      [{ ENLACE_PROFILE: 'staging' }, 'ENLACE_PROFILE', ['one of development, production']],
      [{ ENLACE_JSON_MAX_DEPTH: '4' }, 'ENLACE_JSON_MAX_DEPTH', ['from 8 to 512']],
      [{ ENLACE_HOST: 'bad host' }, 'ENLACE_HOST', ['a host name or IP address']],
    ];
    for (const [env, name, expects] of cases) {
      it(`refuses ${name}=${Object.values(env)[0] ?? ''}, naming the variable and what it expects`, () => {
        const message = refusal(env);
        assert.ok(message.startsWith(`${name} must be `), message);
        for (const part of expects) assert.ok(message.includes(part), `"${message}" lacks ${part}`);
      });
    }

    it('shortens a long bad value in the message', () => {
      const message = refusal({ ENLACE_LOG_LEVEL: 'x'.repeat(500) });
      assert.ok(message.length < 250, message);
    });
  });

  describe('timeouts', () => {
    it('refuses a request timeout equal to the headers timeout', () => {
      const message = refusal({
        ENLACE_REQUEST_TIMEOUT_MS: '20000',
        ENLACE_HEADERS_TIMEOUT_MS: '20000',
      });
      assert.match(message, /ENLACE_REQUEST_TIMEOUT_MS/);
      assert.match(message, /ENLACE_HEADERS_TIMEOUT_MS/);
    });

    it('refuses a request timeout shorter than the headers timeout', () => {
      const message = refusal({ ENLACE_REQUEST_TIMEOUT_MS: '5000' });
      assert.match(
        message,
        /ENLACE_REQUEST_TIMEOUT_MS must be greater than ENLACE_HEADERS_TIMEOUT_MS/,
      );
    });

    it('accepts a request timeout one millisecond longer than the headers timeout', () => {
      const { config } = loadConfig({
        ENLACE_REQUEST_TIMEOUT_MS: '20001',
        ENLACE_HEADERS_TIMEOUT_MS: '20000',
      });
      assert.equal(config.requestTimeoutMs, 20001);
    });

    it('leases outbox rows for three delivery timeouts plus 30 s unless told otherwise', () => {
      assert.equal(loadConfig({}).config.deliveryLeaseMs, 60_000);
      assert.equal(
        loadConfig({ ENLACE_DELIVERY_TIMEOUT_MS: '2000' }).config.deliveryLeaseMs,
        36_000,
      );
      assert.equal(
        loadConfig({ ENLACE_DELIVERY_LEASE_MS: '5000', ENLACE_DELIVERY_TIMEOUT_MS: '4999' }).config
          .deliveryLeaseMs,
        5000,
      );
    });

    it('refuses a delivery lease that does not exceed the delivery timeout', () => {
      const message = refusal({
        ENLACE_DELIVERY_LEASE_MS: '10000',
        ENLACE_DELIVERY_TIMEOUT_MS: '10000',
      });
      assert.match(
        message,
        /ENLACE_DELIVERY_LEASE_MS must be greater than ENLACE_DELIVERY_TIMEOUT_MS \(got 10000 and 10000\)/,
      );
      assert.match(refusal({ ENLACE_DELIVERY_LEASE_MS: '1999' }), /ENLACE_DELIVERY_LEASE_MS/);
    });
  });

  describe('secrets', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'enlace-config-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const secretFile = async (content: string): Promise<string> => {
      const path = join(dir, 'database-url');
      await writeFile(path, content, { mode: 0o600 });
      return path;
    };

    it('reads ENLACE_DATABASE_URL_FILE and trims its trailing newline', async () => {
      const path = await secretFile('postgres://enlace:pw@db:5432/enlace\n');
      const { config, warnings } = loadConfig({ ENLACE_DATABASE_URL_FILE: path });
      assert.equal(config.databaseUrl, 'postgres://enlace:pw@db:5432/enlace');
      assert.deepEqual(warnings, []);
    });

    it('trims a Windows line ending too', async () => {
      const path = await secretFile('sqlite:/tmp/enlace.db\r\n');
      assert.equal(
        loadConfig({ ENLACE_DATABASE_URL_FILE: path }).config.databaseUrl,
        'sqlite:/tmp/enlace.db',
      );
    });

    it('refuses ENLACE_DATABASE_URL and ENLACE_DATABASE_URL_FILE set together', async () => {
      const path = await secretFile('sqlite:/tmp/a.db\n');
      const message = refusal({
        ENLACE_DATABASE_URL: 'sqlite:/tmp/b.db',
        ENLACE_DATABASE_URL_FILE: path,
      });
      assert.match(message, /ENLACE_DATABASE_URL and ENLACE_DATABASE_URL_FILE are both set/);
    });

    it('refuses an ENLACE_DATABASE_URL_FILE that cannot be read', () => {
      const message = refusal({ ENLACE_DATABASE_URL_FILE: join(dir, 'missing') });
      assert.match(message, /^ENLACE_DATABASE_URL_FILE must name a readable file/);
    });

    it('refuses a bad database URL without repeating it', () => {
      const message = refusal({ ENLACE_DATABASE_URL: 'mysql://user:s3cret@h/db' });
      assert.ok(message.startsWith('ENLACE_DATABASE_URL must be '), message);
      assert.ok(message.includes('postgres://'), message);
      for (const leak of ['s3cret', 'mysql', 'user:s3cret', '@h/db']) {
        assert.ok(!message.includes(leak), `"${message}" leaks ${leak}`);
      }
    });

    it('refuses a bad database URL read from a file without repeating it', async () => {
      const path = await secretFile('mysql://user:s3cret@h/db\n');
      const message = refusal({ ENLACE_DATABASE_URL_FILE: path });
      assert.ok(message.startsWith('ENLACE_DATABASE_URL must be '), message);
      assert.ok(!message.includes('s3cret'), message);
    });
  });

  describe('unknown variables', () => {
    it('warns about an unknown ENLACE_ variable, naming it', () => {
      const { warnings } = loadConfig({ ENLACE_FOO: '1' });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /ENLACE_FOO/);
    });

    it('warns about _FILE for a variable that is not a secret', () => {
      const { warnings } = loadConfig({ ENLACE_PORT_FILE: '/run/secrets/port' });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /ENLACE_PORT_FILE/);
    });

    it('does not warn about ENLACE_TEST_ variables or variables of other programs', () => {
      const { warnings } = loadConfig({ ENLACE_TEST_DATABASE_URL: 'x', PATH: '/bin', HOME: '/' });
      assert.deepEqual(warnings, []);
    });

    it('does not warn about known variables', () => {
      const { warnings } = loadConfig({ ENLACE_PORT: '8081', ENLACE_LOG_LEVEL: 'debug' });
      assert.deepEqual(warnings, []);
    });
  });

  describe('a port picked at listen', () => {
    it('warns that the advertised URLs name port 0 when no public URL is set', () => {
      const { config, warnings } = loadConfig({ ENLACE_PORT: '0' });
      assert.equal(config.publicUrl, 'http://127.0.0.1:0');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /^ENLACE_PORT=0 without ENLACE_PUBLIC_URL: /);
    });

    it('does not warn when the public URL is set', () => {
      const { warnings } = loadConfig({
        ENLACE_PORT: '0',
        ENLACE_PUBLIC_URL: 'https://gw.example.org',
      });
      assert.deepEqual(warnings, []);
    });
  });
});
