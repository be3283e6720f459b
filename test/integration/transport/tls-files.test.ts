// The server's TLS files are checked before they serve: readable, a certificate, its own key, not expired.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsConfig } from '../../../src/config/index.js';
import { readTlsFiles, TlsFileError } from '../../../src/transport/index.js';
import { createTlsCa, issueTlsLeaf, type TlsIdentity } from '../../support/tls-fixtures.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the TLS files', () => {
  let dir: string;
  let ca: TlsIdentity;
  let server: TlsIdentity;
  let tls: TlsConfig;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enlace-tls-files-'));
    ca = await createTlsCa('Files CA');
    server = await issueTlsLeaf(ca, 'server', 'gateway');
    await writeFile(join(dir, 'server.pem'), server.certificatePem);
    await writeFile(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
    await writeFile(join(dir, 'chain.pem'), ca.certificatePem);
    tls = {
      certFile: join(dir, 'server.pem'),
      keyFile: join(dir, 'server.key'),
      caFile: undefined,
      minVersion: 'TLSv1.2',
      clientAuth: 'off',
    };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const refusedWith = async (config: TlsConfig, pattern: RegExp, at = new Date()) => {
    await assert.rejects(readTlsFiles(config, at), (err: unknown) => {
      assert.ok(err instanceof TlsFileError);
      assert.match(err.message, pattern);
      return true;
    });
  };

  it('reads a matching pair and appends the chain file after the certificate', async () => {
    const files = await readTlsFiles({ ...tls, caFile: join(dir, 'chain.pem') }, new Date());
    const blocks = files.certChainPem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    assert.equal(blocks.length, 2);
    assert.ok(files.certChainPem.startsWith(server.certificatePem.trim()));
    assert.equal(files.leaf.subject, 'CN=gateway');
  });

  it('names the variable and the path of a file it cannot read', async () => {
    await refusedWith(
      { ...tls, keyFile: join(dir, 'missing.key') },
      /^ENLACE_TLS_KEY_FILE cannot be read \(.*missing\.key: ENOENT\)$/,
    );
  });

  it('refuses a certificate file without a certificate', async () => {
    await refusedWith(
      { ...tls, certFile: tls.keyFile },
      /^ENLACE_TLS_CERT_FILE holds no PEM certificate/,
    );
  });

  it('refuses a key file that holds no private key', async () => {
    await refusedWith(
      { ...tls, keyFile: tls.certFile },
      /^ENLACE_TLS_KEY_FILE is not an unencrypted PEM private key/,
    );
  });

  it('refuses a key that is not the certificate’s', async () => {
    const other = await issueTlsLeaf(ca, 'server', 'other');
    const path = join(dir, 'other.key');
    await writeFile(path, other.keyPem, { mode: 0o600 });
    await refusedWith(
      { ...tls, keyFile: path },
      /^ENLACE_TLS_KEY_FILE is not the key of the certificate in ENLACE_TLS_CERT_FILE/,
    );
  });

  it('refuses a certificate that has expired', async () => {
    await refusedWith(
      tls,
      /^ENLACE_TLS_CERT_FILE holds a certificate that expired on /,
      new Date(Date.now() + 30 * DAY_MS),
    );
  });
});
