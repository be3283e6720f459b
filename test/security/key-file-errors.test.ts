import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../support/memory-log.js';
import { testEngines } from '../support/test-database.js';

const SIGNING_KEY = 'gateway-signing-es256.jwk.json';

for (const engine of testEngines()) {
  describe(`start-up with a misplaced key file (${engine.name})`, function () {
    this.timeout(30_000);

    async function startWith(prepare: (keys: string) => Promise<void>): Promise<Error> {
      const database = await engine.create();
      const dataDir = await mkdtemp(join(tmpdir(), 'enlace-keyfile-'));
      try {
        const keys = join(dataDir, 'keys');
        await mkdir(keys, { recursive: true, mode: 0o700 });
        await prepare(keys);
        const { config } = loadConfig({
          ...database.env,
          ENLACE_DATA_DIR: dataDir,
          ENLACE_PORT: '0',
          ENLACE_LOG_LEVEL: 'silent',
        });
        const refused = await startGateway(config, silentLogger()).then(
          async (gateway) => {
            await gateway.shutdown(100);
            return undefined;
          },
          (error: unknown) => error as Error,
        );
        assert.ok(refused instanceof Error, 'start-up succeeded');
        return refused;
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        await database.drop();
      }
    }

    it('says the key path is a directory', async () => {
      const error = await startWith((keys) => mkdir(join(keys, SIGNING_KEY)));
      assert.match(error.message, new RegExp(`${SIGNING_KEY} is a directory, not a file`));
      assert.doesNotMatch(error.message, /readable by group or others/);
    });

    it('says the key path is a symbolic link', async () => {
      const error = await startWith(async (keys) => {
        await writeFile(join(keys, 'elsewhere.json'), '{}', { mode: 0o600 });
        await symlink(join(keys, 'elsewhere.json'), join(keys, SIGNING_KEY));
      });
      assert.match(
        error.message,
        new RegExp(`${SIGNING_KEY} is a symbolic link; name the file itself`),
      );
    });

    it('still says when a key file is readable by others', async () => {
      const error = await startWith((keys) =>
        writeFile(join(keys, SIGNING_KEY), '{}', { mode: 0o644 }),
      );
      assert.match(error.message, /readable by group or others; run chmod 600 on it/);
    });
  });
}
