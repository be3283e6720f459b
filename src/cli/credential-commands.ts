// `enlace keys generate`, `enlace csr`, `enlace profile init|show`, `enlace token`: a partner's keys, its profile and its access token.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  createCertificateRequest,
  generatePartnerKeys,
  readDecryptionKey,
  SIGNING_ALGORITHMS,
  type Profile,
} from '../sdk/index.js';
import {
  connectPartner,
  loadProfile,
  oneOf,
  partnerAction,
  profilePathOf,
  report,
  usageError,
  withPartnerOptions,
  type PartnerOptions,
} from './partner-session.js';

type Env = Readonly<Record<string, string | undefined>>;

const PRIVATE = { mode: 0o600, flag: 'wx' } as const;
const PUBLIC = { mode: 0o644, flag: 'wx' } as const;

/** Writes every file or none: a file that exists is refused (O_EXCL), and what this run wrote is removed. */
async function writeAll(
  files: readonly { path: string; text: string; options: typeof PRIVATE | typeof PUBLIC }[],
): Promise<void> {
  const written: string[] = [];
  try {
    for (const file of files) {
      await writeFile(file.path, file.text, file.options);
      written.push(file.path);
    }
  } catch (err) {
    await Promise.all(written.map((path) => rm(path, { force: true })));
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(
        `${(err as NodeJS.ErrnoException).path ?? 'a file'} exists; nothing was written (choose another --name or --dir)`,
        { cause: err },
      );
    }
    throw err;
  }
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

interface GenerateOptions {
  readonly name: string;
  readonly alg: string;
  readonly dir: string;
  readonly out?: string;
  readonly json?: boolean;
}

function addKeysGenerate(program: Command): void {
  const keys =
    program.commands.find((command) => command.name() === 'keys') ??
    program.command('keys').description('keys');
  keys
    .command('generate')
    .description(
      "partner: create the institution's signing and encryption keys; prints the JWKS to register",
    )
    .option('--name <name>', 'file name prefix of the keys', 'partner')
    .option('--alg <alg>', `signing algorithm: ${SIGNING_ALGORITHMS.join(', ')}`, 'ES256')
    .option('--dir <dir>', 'folder the key files are written to', '.')
    .option('--out <file>', 'write the public JWKS to this file instead of standard output')
    .option('--json', 'print the JWKS and the files written as one JSON object')
    .addHelpText(
      'after',
      `
Writes <name>.sig.jwk and <name>.enc.jwk (private JWKs, mode 0600) and <name>.enc.pub.jwk (the
public encryption key, for \`enlace partner register --encryption-key\`); never overwrites a file.
The JWKS holds the public signing key (kid = its RFC 7638 thumbprint), for \`--jwks\`.

Example:
  enlace keys generate --name comisaria-norte --dir ~/.config/enlace --out comisaria-norte.jwks.json`,
    )
    .action((options: GenerateOptions) =>
      partnerAction(options, async () => {
        const signingAlg = oneOf(SIGNING_ALGORITHMS, options.alg, '--alg');
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(options.name)) {
          usageError('--name must be 1-64 letters, digits, dots, hyphens or underscores');
        }
        const generated = await generatePartnerKeys({ signingAlg });
        const file = (suffix: string) => resolve(join(options.dir, `${options.name}.${suffix}`));
        const paths = {
          signingKey: file('sig.jwk'),
          decryptionKey: file('enc.jwk'),
          encryptionPublicKey: file('enc.pub.jwk'),
          ...(options.out === undefined ? {} : { jwks: resolve(options.out) }),
        };
        await mkdir(resolve(options.dir), { recursive: true, mode: 0o700 });
        await writeAll([
          { path: paths.signingKey, text: json(generated.signing.privateJwk), options: PRIVATE },
          {
            path: paths.decryptionKey,
            text: json(generated.encryption.privateJwk),
            options: PRIVATE,
          },
          {
            path: paths.encryptionPublicKey,
            text: json(generated.encryption.publicJwk),
            options: PUBLIC,
          },
          ...(paths.jwks === undefined
            ? []
            : [{ path: paths.jwks, text: json(generated.jwks), options: PUBLIC }]),
        ]);
        const kids = {
          sig: generated.signing.publicJwk.kid,
          enc: generated.encryption.publicJwk.kid,
        };
        if (options.json === true || options.out !== undefined) {
          report(options, { jwks: generated.jwks, kid: kids, files: paths }, [
            `signing key      ${paths.signingKey} (0600, kid ${kids.sig ?? ''})`,
            `decryption key   ${paths.decryptionKey} (0600, kid ${kids.enc ?? ''})`,
            `encryption key   ${paths.encryptionPublicKey} (public, for --encryption-key)`,
            `JWKS             ${paths.jwks ?? ''} (public, for --jwks)`,
          ]);
          return;
        }
        process.stdout.write(json(generated.jwks));
        process.stderr.write(
          `enlace: wrote ${paths.signingKey} and ${paths.decryptionKey} (0600), ${paths.encryptionPublicKey}\n`,
        );
      }),
    );
}

interface CsrOptions extends PartnerOptions {
  readonly key?: string;
  readonly name: string;
  readonly out?: string;
}

function addCsr(program: Command, env: Env): void {
  withPartnerOptions(
    program
      .command('csr')
      .description("partner: a PKCS#10 request for the signing key, for the network's certificate"),
  )
    .option('--key <file>', "the private signing key, PEM or JWK (default: the profile's)")
    .option(
      '--name <name>',
      'the subject CN (a label: the certificate names the partner)',
      'enlace-partner',
    )
    .option('--out <file>', 'write the CSR there instead of standard output')
    .addHelpText(
      'after',
      `
EC P-256 or P-384 keys only (ES256, ES384): the network CA certifies no other kind.

Example:
  enlace csr --key comisaria-norte.sig.jwk --name comisaria-norte --out comisaria-norte.csr
  # the operator: enlace partner register --id comisaria-norte … --csr comisaria-norte.csr`,
    )
    .action((options: CsrOptions) =>
      partnerAction(options, async () => {
        const keyFile = options.key ?? (await loadProfile(env, options)).signingKey;
        const pem = await createCertificateRequest(await readDecryptionKey(keyFile), options.name);
        if (options.out !== undefined) await writeFile(options.out, pem, PUBLIC);
        if (options.json === true)
          report(
            options,
            {
              csr: pem,
              key: resolve(keyFile),
              ...(options.out === undefined ? {} : { file: resolve(options.out) }),
            },
            '',
          );
        else if (options.out === undefined) process.stdout.write(pem);
        else report(options, {}, `wrote ${resolve(options.out)}`);
      }),
    );
}

/** The profile's own fields, as flags. */
interface ProfileInitOptions extends PartnerOptions, Profile {
  readonly force?: boolean;
}

function addProfileCommands(program: Command, env: Env): void {
  const profile = program
    .command('profile')
    .description('partner: the profile file naming the gateway, the client id and the key files');
  withPartnerOptions(
    profile.command('init').description('write the profile file the partner commands read'),
  )
    .requiredOption('--gateway <url>', "the gateway's base URL, e.g. https://enlace.example.org")
    .requiredOption('--client-id <id>', 'the client_id the operator gave at registration')
    .requiredOption('--signing-key <file>', 'the private signing key (PEM or JWK)')
    .option('--certificate <file>', 'PEM chain, leaf first: sign with x5c instead of a kid')
    .option('--kid <kid>', 'the registered kid, when the key file does not carry one')
    .option('--alg <alg>', 'signing algorithm, when not the key’s default')
    .option('--decryption-key <file>', 'the private encryption key: needed to open referrals')
    .option('--network-ca <file>', 'PEM of the network CA from a channel you trust (pins it)')
    .option('--scope <scopes>', 'the scopes to ask for (default: all a partner uses)')
    .option('--audit-log-key <key>', "the audit log's verifier key, obtained out of band")
    .option('--force', 'replace an existing profile')
    .addHelpText(
      'after',
      `
Paths are stored absolute. The file is written with mode 0600 in a folder of mode 0700.

Example:
  enlace profile init --gateway https://enlace.example.org --client-id 3f6c… \\
    --signing-key comisaria-norte.sig.jwk --decryption-key comisaria-norte.enc.jwk`,
    )
    .action((options: ProfileInitOptions) =>
      partnerAction(options, async () => {
        const path = profilePathOf(env, options);
        let gateway: URL;
        try {
          gateway = new URL(options.gateway);
        } catch {
          return usageError(`--gateway must be a URL (got ${options.gateway})`);
        }
        const file = (value: string | undefined) =>
          value === undefined ? undefined : resolve(value);
        const written = Object.fromEntries(
          Object.entries({
            gateway: gateway.href.replace(/\/+$/, ''),
            clientId: options.clientId,
            signingKey: file(options.signingKey),
            certificate: file(options.certificate),
            kid: options.kid,
            alg: options.alg,
            decryptionKey: file(options.decryptionKey),
            networkCa: file(options.networkCa),
            scope: options.scope,
            auditLogKey: options.auditLogKey,
          }).filter(([, value]) => value !== undefined),
        );
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        try {
          await writeFile(path, json(written), {
            mode: 0o600,
            flag: options.force === true ? 'w' : 'wx',
          });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          throw new Error(`the profile ${path} exists; give --force to replace it`, { cause: err });
        }
        report(options, { profile: path, ...written }, `wrote the profile ${path}`);
      }),
    );
  withPartnerOptions(
    profile.command('show').description('print the profile in use, its paths resolved'),
  )
    .addHelpText('after', '\nExample:\n  enlace profile show --profile shelter.json')
    .action((options: PartnerOptions) =>
      partnerAction(options, async () => {
        const found = await loadProfile(env, options);
        const path = profilePathOf(env, options);
        report(options, { profile: path, ...found }, [
          `profile ${path}`,
          ...Object.entries(found).map(([name, value]) => `  ${name}: ${String(value)}`),
        ]);
      }),
    );
}

function addToken(program: Command, env: Env): void {
  withPartnerOptions(
    program
      .command('token')
      .description('partner: obtain an access token (private_key_jwt) and print it'),
  )
    .addHelpText(
      'after',
      `
Example:
  curl -H "Authorization: Bearer $(enlace token)" https://enlace.example.org/fhir/Organization?type=shelter`,
    )
    .action((options: PartnerOptions) =>
      partnerAction(options, async () => {
        const client = await connectPartner(env, options);
        const token = await client.accessToken();
        report(
          options,
          {
            access_token: token,
            token_type: 'Bearer',
            organization: client.organization,
            role: client.role,
            gateway: client.gateway,
          },
          token,
        );
      }),
    );
}

export function addCredentialCommands(program: Command, env: Env): void {
  addKeysGenerate(program);
  addCsr(program, env);
  addProfileCommands(program, env);
  addToken(program, env);
}
