// Native TLS settings: both files or neither, https public URLs with TLS, HSTS, and mutual TLS only on top of TLS.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { refusal } from './config-refusal.js';

const PAIR = { ENLACE_TLS_CERT_FILE: 'tls/server.pem', ENLACE_TLS_KEY_FILE: 'tls/server.key' };

describe('TLS configuration', () => {
  it('serves plain HTTP without HSTS when no TLS variable is set', () => {
    const { config } = loadConfig({});
    assert.equal(config.tls, undefined);
    assert.equal(config.publicUrl, 'http://127.0.0.1:8080');
    assert.equal(config.hsts, false);
  });

  it('serves TLS 1.2 and up, with no client certificates and an https public URL, when both files are set', () => {
    const { config } = loadConfig({ ...PAIR, ENLACE_HOST: '::1', ENLACE_PORT: '8443' });
    assert.deepEqual(config.tls, {
      certFile: resolve('tls/server.pem'),
      keyFile: resolve('tls/server.key'),
      caFile: undefined,
      minVersion: 'TLSv1.2',
      clientAuth: 'off',
    });
    assert.equal(config.publicUrl, 'https://[::1]:8443');
    assert.equal(config.hsts, true);
  });

  it('reads the chain file, TLS 1.3 only and required client certificates', () => {
    const { config } = loadConfig({
      ...PAIR,
      ENLACE_TLS_CA_FILE: 'tls/chain.pem',
      ENLACE_TLS_MIN_VERSION: 'TLSv1.3',
      ENLACE_TLS_CLIENT_AUTH: 'require',
      ENLACE_PUBLIC_URL: 'https://gw.example.org/',
    });
    assert.equal(config.tls?.caFile, resolve('tls/chain.pem'));
    assert.equal(config.tls.minVersion, 'TLSv1.3');
    assert.equal(config.tls.clientAuth, 'require');
    assert.equal(config.publicUrl, 'https://gw.example.org');
  });

  it('refuses a certificate without its key, and a key without its certificate', () => {
    assert.equal(
      refusal({ ENLACE_TLS_CERT_FILE: 'tls/server.pem' }),
      'ENLACE_TLS_CERT_FILE is set without ENLACE_TLS_KEY_FILE; set both to serve TLS, or neither',
    );
    assert.equal(
      refusal({ ENLACE_TLS_KEY_FILE: 'tls/server.key' }),
      'ENLACE_TLS_KEY_FILE is set without ENLACE_TLS_CERT_FILE; set both to serve TLS, or neither',
    );
  });

  it('refuses a chain file or client authentication without native TLS', () => {
    assert.match(
      refusal({ ENLACE_TLS_CA_FILE: 'tls/chain.pem' }),
      /^ENLACE_TLS_CA_FILE is set without/,
    );
    assert.equal(
      refusal({ ENLACE_TLS_CLIENT_AUTH: 'optional' }),
      'ENLACE_TLS_CLIENT_AUTH=optional needs native TLS: set ENLACE_TLS_CERT_FILE and ENLACE_TLS_KEY_FILE',
    );
  });

  it('refuses an http public URL when the gateway serves TLS', () => {
    assert.equal(
      refusal({ ...PAIR, ENLACE_PUBLIC_URL: 'http://gw.example.org' }),
      'ENLACE_PUBLIC_URL must be an https URL when ENLACE_TLS_CERT_FILE is set (got "http://gw.example.org")',
    );
  });

  it('refuses unknown modes and versions with what it expects', () => {
    assert.equal(
      refusal({ ...PAIR, ENLACE_TLS_CLIENT_AUTH: 'required' }),
      'ENLACE_TLS_CLIENT_AUTH must be one of off, optional, require (optional and require need ENLACE_TLS_CERT_FILE) (got "required")',
    );
    assert.equal(
      refusal({ ...PAIR, ENLACE_TLS_MIN_VERSION: 'TLSv1.1' }),
      'ENLACE_TLS_MIN_VERSION must be one of TLSv1.2, TLSv1.3 (got "TLSv1.1")',
    );
  });

  it('sends HSTS behind a TLS-terminating proxy, when the public URL is https', () => {
    const { config } = loadConfig({ ENLACE_PUBLIC_URL: 'https://gw.example.org' });
    assert.equal(config.tls, undefined);
    assert.equal(config.hsts, true);
  });
});
