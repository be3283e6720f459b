// Runs the storage contract against SQLite always, and PostgreSQL when ENLACE_TEST_DATABASE_URL is set.
import { defineStoreContract } from './contract.js';
import { connectPostgresHarnesses } from './postgres-harness.js';
import type { PostgresHarnesses } from './postgres-harness.js';
import { createSqliteHarness } from './sqlite-harness.js';

defineStoreContract('SQLite', createSqliteHarness);

const postgresUrl = process.env['ENLACE_TEST_DATABASE_URL'];

// Without a test database the PostgreSQL contract is reported as pending, not silently absent.
(postgresUrl === undefined || postgresUrl === '' ? describe.skip : describe)(
  'PostgreSQL',
  function () {
    let harnesses: PostgresHarnesses | undefined;

    before(async function () {
      harnesses = await connectPostgresHarnesses(postgresUrl ?? '');
    });

    after(async function () {
      await harnesses?.close();
    });

    defineStoreContract('PostgreSQL', () => {
      if (harnesses === undefined) {
        throw new Error('the PostgreSQL admin connection is not open');
      }
      return harnesses.factory();
    });
  },
);
