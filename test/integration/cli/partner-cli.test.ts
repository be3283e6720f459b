// The partner side of the `enlace` command against a real gateway: keys, CSR, profile, token, the whole
// loop police → shelter, consent, deliveries, --json shapes, exit codes, one-line refusals, completion.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TOTP, URI } from 'otpauth';
import { runCli } from '../../../src/cli/main.js';
import { signInOperator } from '../../../src/sdk/index.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { createSdkNetwork, type SdkNetwork } from '../sdk/sdk-network.js';

const exec = promisify(execFile);
const CEDULA = 'https://registro.example.org/fhir/NamingSystem/cedula';
const SURVIVOR = `${CEDULA}|4.512.337-1`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `enlace …` in this process with its own environment, capturing what it writes. */
async function enlace(
  env: Record<string, string>,
  argv: readonly string[],
  options: { readonly tty?: boolean } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const wasTty = process.stderr.isTTY;
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  process.stderr.isTTY = options.tty === true;
  try {
    const code = await runCli(argv, env);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.stderr.isTTY = wasTty;
  }
}

/** The JSON a successful command printed. */
async function json<T>(env: Record<string, string>, ...argv: string[]): Promise<T> {
  const run = await enlace(env, [...argv, '--json']);
  assert.equal(run.code, 0, `enlace ${argv.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Sent {
  readonly source: string;
  readonly to: string;
  readonly taskId: string;
  readonly messageId: string;
}

interface TaskLine {
  readonly id: string;
  readonly status: string;
  readonly version: string;
  readonly requester: string;
  readonly owner: string;
}

for (const engine of testEngines()) {
  describe(`the enlace command on a partner's side (${engine.name})`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let network: SdkNetwork;
    let dir: string;
    /** The police station's environment: its profile at the default place under HOME. */
    let police: Record<string, string>;
    /** The shelter's: the same HOME, its profile named with --profile. */
    let shelterProfile: string;
    let consentId: string;
    let consentReference: string;
    let taskId: string;
    const shelter = (...argv: string[]) => [...argv, '--profile', shelterProfile];

    const referralFile = async (name: string, to: string, summary: string) => {
      const file = join(dir, `${name}.json`);
      await writeFile(
        file,
        JSON.stringify({
          to,
          survivor: { system: CEDULA, value: '4.512.337-1' },
          consent: consentReference,
          purpose: 'shelter',
          risk: 'high',
          services: ['shelter'],
          violence: ['physical', 'psychological'],
          summary,
          contact: { phone: '+598 99 123 456' },
        }),
      );
      return file;
    };

    before(async () => {
      database = await engine.create();
      network = await createSdkNetwork(database);
      dir = await mkdtemp(join(tmpdir(), 'enlace-partner-cli-'));
      police = { HOME: dir, ENLACE_LOG_LEVEL: 'silent' };
      shelterProfile = join(dir, 'shelter-profile.json');
    });

    after(async () => {
      await network.dispose();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('generates keys (private ones 0600, never overwritten), is registered by its JWKS and gets a token', async () => {
      const keys = await json<{
        jwks: { keys: { kid: string; use: string }[] };
        kid: { sig: string; enc: string };
        files: Record<string, string>;
      }>(
        police,
        'keys',
        'generate',
        '--name',
        'comisaria-sur',
        '--dir',
        dir,
        '--out',
        join(dir, 'comisaria-sur.jwks.json'),
      );
      const [published, ...others] = keys.jwks.keys;
      assert.ok(published);
      assert.equal(others.length, 0);
      assert.equal(published.use, 'sig');
      assert.equal(published.kid, keys.kid.sig);
      assert.equal('d' in published, false, 'the JWKS holds no private member');
      assert.equal((await stat(join(dir, 'comisaria-sur.sig.jwk'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(dir, 'comisaria-sur.enc.jwk'))).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(await readFile(keys.files.jwks ?? '', 'utf8')), keys.jwks);

      const before = await readFile(join(dir, 'comisaria-sur.sig.jwk'), 'utf8');
      const again = await enlace(police, [
        'keys',
        'generate',
        '--name',
        'comisaria-sur',
        '--dir',
        dir,
      ]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^enlace: .*comisaria-sur\.sig\.jwk exists; nothing was written/);
      assert.equal(await readFile(join(dir, 'comisaria-sur.sig.jwk'), 'utf8'), before);

      const registered = (await network.operator(
        'partner',
        'register',
        '--id',
        'comisaria-sur',
        '--name',
        'Comisaría Sur',
        '--role',
        'police',
        '--jwks',
        join(dir, 'comisaria-sur.jwks.json'),
        '--encryption-key',
        join(dir, 'comisaria-sur.enc.pub.jwk'),
      )) as { client_id: string };
      const init = await json<{ profile: string; signingKey: string }>(
        police,
        'profile',
        'init',
        '--gateway',
        network.url,
        '--client-id',
        registered.client_id,
        '--signing-key',
        join(dir, 'comisaria-sur.sig.jwk'),
        '--decryption-key',
        join(dir, 'comisaria-sur.enc.jwk'),
      );
      assert.equal(init.profile, join(dir, '.config', 'enlace', 'profile.json'));
      assert.equal((await stat(init.profile)).mode & 0o777, 0o600);
      const token = await json<{ access_token: string; organization: string; role: string }>(
        police,
        'token',
      );
      assert.equal(token.organization, 'comisaria-sur');
      assert.equal(token.role, 'police');
      assert.match(token.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const plain = await enlace(police, ['token']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    });

    it('makes a CSR for its key, and signs with the certificate the network CA issues from it', async () => {
      const keys = await json<{ files: Record<string, string> }>(
        police,
        'keys',
        'generate',
        '--name',
        'refugio-sur',
        '--dir',
        dir,
      );
      const csr = join(dir, 'refugio-sur.csr');
      const made = await enlace(police, [
        'csr',
        '--key',
        keys.files.signingKey ?? '',
        '--name',
        'refugio-sur',
        '--out',
        csr,
      ]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(await readFile(csr, 'utf8'), /^-----BEGIN CERTIFICATE REQUEST-----/);
      const registered = (await network.operator(
        'partner',
        'register',
        '--id',
        'refugio-sur',
        '--name',
        'Refugio Sur',
        '--role',
        'shelter',
        '--csr',
        csr,
        '--encryption-key',
        keys.files.encryptionPublicKey ?? '',
      )) as { client_id: string; certificate: string };
      const ca = await (await fetch(`${network.url}/pki/ca.pem`)).text();
      const chain = join(dir, 'refugio-sur.chain.pem');
      // The leaf, then the network's CAs as GET /pki/ca.pem serves them (the SDK sends the chain as x5c).
      await writeFile(chain, `${registered.certificate.trim()}\n${ca}`);
      const init = await enlace(police, [
        'profile',
        'init',
        '--profile',
        shelterProfile,
        '--gateway',
        network.url,
        '--client-id',
        registered.client_id,
        '--signing-key',
        keys.files.signingKey ?? '',
        '--certificate',
        chain,
        '--decryption-key',
        keys.files.decryptionKey ?? '',
      ]);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.stdout, `wrote the profile ${shelterProfile}\n`);
      const token = await json<{ organization: string }>(police, ...shelter('token'));
      assert.equal(token.organization, 'refugio-sur');
    });

    it('records her consent and evaluates it', async () => {
      const recorded = await json<{ id: string; reference: string; status: string }>(
        police,
        'consent',
        'record',
        '--survivor',
        SURVIVOR,
        '--actor-role',
        'shelter',
        '--purpose',
        'shelter',
        '--data-class',
        'contact-details',
        '--data-class',
        'risk-assessment',
      );
      assert.match(recorded.reference, /^Consent\/[\w.-]+\/_history\/1$/);
      assert.equal(recorded.status, 'active');
      consentId = recorded.id;
      consentReference = recorded.reference;
      const evaluation = await json<{ decision: string; reliedOn: string[] }>(
        police,
        'consent',
        'evaluate',
        '--survivor',
        SURVIVOR,
        '--purpose',
        'shelter',
        '--actor',
        'refugio-sur',
      );
      assert.equal(evaluation.decision, 'permit');
      assert.deepEqual(evaluation.reliedOn, [consentReference]);
      const human = await enlace(police, [
        'consent',
        'evaluate',
        '--survivor',
        SURVIVOR,
        '--purpose',
        'legal-proceeding',
        '--actor',
        'refugio-sur',
      ]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^decision: (deny|no-consent)/);
    });

    it('sends several message files with a progress bar on a terminal, and plain inputs', async () => {
      const first = await referralFile('first', 'refugio-sur', 'Needs a safe place tonight.');
      const second = await referralFile('second', 'refugio-esperanza', 'Needs a place this week.');
      const bulk = await enlace(police, ['send', first, second], { tty: true });
      assert.equal(bulk.code, 0, bulk.stderr);
      assert.match(bulk.stderr, /\[#{30}\] 100% 2\/2 referrals/);
      const lines = bulk.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(
        lines[0] ?? '',
        /^sent .*first\.json to refugio-sur: Task\/\S+ \(message [0-9a-f-]{36}\); receipt verified$/,
      );

      const quiet = await enlace(police, ['send', first, second, '--json'], { tty: true });
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.stderr, '', 'no progress bar with --json');
      const results = JSON.parse(quiet.stdout) as Sent[];
      assert.deepEqual(
        results.map((r) => [r.source, r.to]),
        [
          [first, 'refugio-sur'],
          [second, 'refugio-esperanza'],
        ],
      );

      const plain = await json<Sent>(
        police,
        'send',
        '--to',
        'refugio-sur',
        '--survivor',
        SURVIVOR,
        '--consent',
        consentReference,
        '--purpose',
        'shelter',
        '--risk',
        'extreme',
        '--service',
        'shelter',
        '--service',
        'psychological-support',
        '--violence',
        'physical',
        '--summary',
        'Her partner threatened her tonight.',
      );
      assert.equal(plain.to, 'refugio-sur');
      assert.match(plain.messageId, /^[0-9a-f-]{36}$/);
      taskId = plain.taskId;
    });

    it('lets the shelter list its inbox, open the referral verified, and close the loop', async () => {
      const inbox = await json<TaskLine[]>(police, ...shelter('inbox', '--status', 'requested'));
      assert.equal(inbox.length, 3);
      assert.ok(
        inbox.every(
          (task) => task.owner === 'Organization/refugio-sur' && task.status === 'requested',
        ),
      );
      assert.ok(inbox.some((task) => task.id === taskId));

      const opened = await json<{
        task: TaskLine;
        content: { sender: string; risk: string; summary: string; services: string[] };
        verified: {
          senderKey: { kind: string; kid: string };
          redacted: boolean;
          reliedOn: string[];
        };
      }>(police, ...shelter('get', taskId));
      assert.equal(opened.content.sender, 'comisaria-sur');
      assert.equal(opened.content.risk, 'extreme');
      assert.equal(opened.content.summary, 'Her partner threatened her tonight.');
      assert.equal(opened.verified.senderKey.kind, 'registered-key');
      assert.equal(opened.verified.redacted, false);
      assert.deepEqual(opened.verified.reliedOn, [consentReference]);
      assert.equal(opened.task.status, 'received');

      const human = await enlace(police, shelter('get', taskId));
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^verified: signed by comisaria-sur with its registered key /m);

      const accepted = await json<TaskLine>(
        police,
        ...shelter('accept', taskId, '--note', 'A bed is ready.'),
      );
      assert.equal(accepted.status, 'accepted');
      const started = await enlace(police, shelter('start', taskId));
      assert.equal(started.code, 0, started.stderr);
      assert.match(
        started.stdout,
        new RegExp(`^Task/${taskId} is in-progress \\(version \\d+\\)\\n$`),
      );
      const completed = await json<TaskLine>(
        police,
        ...shelter('complete', taskId, '--output', 'Placed with her children.'),
      );
      assert.equal(completed.status, 'completed');

      const sent = await json<TaskLine[]>(police, 'inbox', '--sent');
      assert.equal(sent.find((task) => task.id === taskId)?.status, 'completed');
    });

    it('quotes the OperationOutcome of a refusal in one line, and in --json', async () => {
      const stale = await enlace(
        police,
        shelter('reject', taskId, '--reason', 'Too late.', '--if-match', '1'),
      );
      assert.equal(stale.code, 1);
      assert.match(
        stale.stderr,
        /^enlace: 412 ENLACE_TASK_VERSION_MISMATCH: .+ \(request [\w-]+\)\n$/,
      );
      assert.equal(stale.stdout, '');

      const asJson = await enlace(
        police,
        shelter('reject', taskId, '--reason', 'Too late.', '--if-match', '1', '--json'),
      );
      assert.equal(asJson.code, 1);
      const { error } = JSON.parse(asJson.stdout) as {
        error: { status: number; code: string; message: string; outcome: { resourceType: string } };
      };
      assert.equal(error.status, 412);
      assert.equal(error.code, 'ENLACE_TASK_VERSION_MISMATCH');
      assert.equal(error.outcome.resourceType, 'OperationOutcome');
      assert.match(error.message, /^412 ENLACE_TASK_VERSION_MISMATCH: /);
    });

    it('exits 3 when a referral does not verify, 2 on a usage error and 78 without a profile', async () => {
      const stranger = await json<{ files: Record<string, string> }>(
        police,
        'keys',
        'generate',
        '--name',
        'stranger',
        '--dir',
        dir,
      );
      const profile = JSON.parse(await readFile(shelterProfile, 'utf8')) as Record<string, string>;
      const wrongKey = join(dir, 'wrong-key-profile.json');
      await writeFile(
        wrongKey,
        JSON.stringify({ ...profile, decryptionKey: stranger.files.decryptionKey }),
      );
      const [another] = await json<TaskLine[]>(
        police,
        ...shelter('inbox', '--status', 'requested'),
      );
      assert.ok(another);
      const unverified = await enlace(police, ['get', another.id, '--profile', wrongKey]);
      assert.equal(unverified.code, 3);
      assert.equal(
        unverified.stderr,
        'enlace: decryption verification failed: nothing received was trusted\n',
      );
      assert.equal(unverified.stdout, '');

      for (const argv of [
        ['send', '--bogus'],
        ['get'],
        [
          'send',
          '--to',
          'refugio-sur',
          '--survivor',
          SURVIVOR,
          '--consent',
          consentReference,
          '--purpose',
          'shelter',
          '--risk',
          'dire',
          '--service',
          'shelter',
          '--violence',
          'physical',
          '--summary',
          'x',
        ],
        ['consent', 'evaluate', '--survivor', 'no-bar', '--purpose', 'shelter'],
        ['completion', 'fish'],
      ]) {
        const run = await enlace(police, argv);
        assert.equal(run.code, 2, `${argv.join(' ')}: ${run.stderr}`);
      }
      const badRisk = await enlace(police, [
        'send',
        await referralFile('bad', 'refugio-sur', 'x'),
        '--to',
        'refugio-sur',
        '--risk',
        'high',
      ]);
      assert.equal(badRisk.code, 2);
      assert.equal(
        badRisk.stderr,
        'enlace: give message files or plain inputs, not both (--risk)\n',
      );

      const missing = await enlace({ HOME: join(dir, 'nobody') }, ['inbox']);
      assert.equal(missing.code, 78);
      assert.match(
        missing.stderr,
        /^enlace: invalid configuration: cannot read the profile .*nobody\/\.config\/enlace\/profile\.json: .* does not exist; write one with `enlace profile init`/,
      );
    });

    it('withdraws her consent and tells the institutions that received her data', async () => {
      const revoked = await json<{ status: string; notifiedInstitutions: number }>(
        police,
        'consent',
        'revoke',
        consentId,
        '--reason',
        'She asked to stop sharing.',
      );
      assert.equal(revoked.status, 'inactive');
      assert.ok(revoked.notifiedInstitutions >= 1);
    });

    it('lists the outbox for an operator signed in with two factors', async () => {
      const passwordFile = join(dir, 'ana.password');
      await writeFile(passwordFile, 'correct horse battery staple 42\n');
      const created = (await network.operator(
        'user',
        'add',
        'ana',
        '--role',
        'operator',
        '--password-file',
        passwordFile,
      )) as {
        otpauth: string;
      };
      const totp = URI.parse(created.otpauth);
      assert.ok(totp instanceof TOTP);
      const signIn = (timestamp: number) => [
        '--gateway',
        network.url,
        '--user',
        'ana',
        '--password-file',
        passwordFile,
        '--code',
        totp.generate({ timestamp }),
      ];
      const deliveries = await json<{ id: string; recipient: string; status: string }[]>(
        police,
        'deliveries',
        'list',
        '--recipient',
        'refugio-esperanza',
        ...signIn(Date.now()),
      );
      assert.ok(deliveries.length >= 1);
      assert.ok(deliveries.every((d) => d.recipient === 'refugio-esperanza'));
      const [first] = deliveries;
      assert.ok(first);
      // A session opened elsewhere (the next step's code: the one used above is spent) serves as well.
      const session = await signInOperator({
        gateway: network.url,
        username: 'ana',
        password: 'correct horse battery staple 42',
        code: totp.generate({ timestamp: Date.now() + 30_000 }),
      });
      const sessionFile = join(dir, 'ana.session');
      await writeFile(sessionFile, session.sessionToken, { mode: 0o600 });
      const retry = await enlace(police, [
        'deliveries',
        'retry',
        first.id,
        '--gateway',
        network.url,
        '--session-file',
        sessionFile,
      ]);
      if (first.status === 'dead') assert.equal(retry.code, 0, retry.stderr);
      else {
        assert.equal(retry.code, 1);
        assert.match(
          retry.stderr,
          /^enlace: 409 ENLACE_DELIVERY_NOT_DEAD: .+ \(request [\w-]+\)\n$/,
        );
      }
      await session.signOut();
      const ended = await enlace(police, [
        'deliveries',
        '--gateway',
        network.url,
        '--session-file',
        sessionFile,
      ]);
      assert.equal(ended.code, 1);
      assert.match(ended.stderr, /^enlace: 401 /);
    });

    it('prints help with an example for every partner command', async () => {
      for (const argv of [
        ['keys', 'generate'],
        ['csr'],
        ['profile', 'init'],
        ['profile', 'show'],
        ['token'],
        ['send'],
        ['inbox'],
        ['get'],
        ['accept'],
        ['reject'],
        ['start'],
        ['complete'],
        ['fail'],
        ['cancel'],
        ['consent', 'record'],
        ['consent', 'evaluate'],
        ['consent', 'revoke'],
        ['deliveries', 'list'],
        ['deliveries', 'retry'],
        ['completion'],
      ]) {
        const help = await enlace(police, [...argv, '--help']);
        assert.equal(help.code, 0, argv.join(' '));
        assert.match(help.stdout, /Examples?:\n {2}(enlace|source|curl) /, argv.join(' '));
      }
    });

    it('prints bash and zsh completion scripts drawn from the command tree', async () => {
      const bash = await enlace(police, ['completion', 'bash']);
      assert.equal(bash.code, 0);
      assert.match(bash.stdout, /complete -o default -F _enlace enlace\n$/);
      await exec('bash', ['-n', '-c', bash.stdout]);
      const script = join(dir, 'enlace.bash');
      await writeFile(script, bash.stdout);
      const complete = async (...words: string[]) =>
        (
          await exec('bash', [
            '-c',
            `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _enlace; echo "\${COMPREPLY[*]}"`,
          ])
        ).stdout.trim();
      assert.equal(await complete('enlace', 'keys', 'ge'), 'generate');
      assert.equal(await complete('enlace', 'keys', ''), 'list rotate generate --help');
      assert.equal(await complete('enlace', 'consent', 're'), 'record revoke');
      assert.equal(await complete('enlace', 'send', 'x.json', '--pr'), '--profile --priority');
      assert.equal(await complete('enlace', 'acc'), 'accept');

      const zsh = await enlace(police, ['completion', 'zsh']);
      assert.equal(zsh.code, 0);
      assert.match(zsh.stdout, /^#compdef enlace\n/);
      assert.match(
        zsh.stdout,
        /\('consent record'\) candidates=\(--profile --json --file --survivor /,
      );
    });
  });
}
