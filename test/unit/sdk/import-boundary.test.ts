// The SDK runs in a partner's process: at run time it may load the pure floors (crypto, kernel, fhir, the
// audit log's verification, offline PKI, the consent decision's signature) but nothing of the server.
import assert from 'node:assert/strict';
import madge from 'madge';

const SERVER_FOLDERS =
  /^\.\.\/(store|http|cli|referrals|partners|auth|people|disclosures|config|profiles)\//;
const SERVER_PACKAGES =
  /node_modules\/(express|pg|better-sqlite3|kysely|pino|commander|raw-body)\//;

describe('the SDK import boundary', function () {
  this.timeout(60_000);

  it('loads no server module and no server package at run time', async () => {
    const graph = await madge('src/sdk/index.ts', {
      fileExtensions: ['ts'],
      tsConfig: 'tsconfig.json',
      includeNpm: true,
      // Type-only imports vanish at run time; a FHIR type named beside a storage type is no dependency.
      detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } },
    });
    const modules = new Set([...Object.keys(graph.obj()), ...Object.values(graph.obj()).flat()]);
    assert.ok(modules.has('../crypto/sign-bundle.ts'), 'the graph was read (it reuses src/crypto)');
    assert.deepEqual(
      [...modules].filter((path) => SERVER_FOLDERS.test(path)),
      [],
    );
    assert.deepEqual(
      [...modules].filter((path) => SERVER_PACKAGES.test(path)),
      [],
    );
  });
});
