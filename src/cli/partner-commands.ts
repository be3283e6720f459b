// `enlace partner register|list|show|suspend|activate`: the registry, worked on the configured database directly.
import type { Command } from 'commander';
import { commandLineActor } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  findPartner,
  listClients,
  listEndpoints,
  listPartners,
  registerPartner,
  setPartnerStatus,
  type CertificateIssuer,
  type PartnerCredential,
} from '../partners/index.js';
import type { CommandContext } from './context.js';
import { printJson, readInput } from './io.js';

export type RunWithContext = (work: (context: CommandContext) => Promise<void>) => Promise<void>;

/** Provides the PKI's certificate issuer for CSR registration, when the network CA exists. */
export type IssuerFactory = (context: CommandContext) => Promise<CertificateIssuer | undefined>;

interface RegisterOptions {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly jwks?: string;
  readonly csr?: string;
  readonly certificate?: string;
  readonly validityDays?: string;
  readonly endpoint?: string;
  readonly encryptionKey?: string;
  readonly alg?: string[];
}

export function addPartnerCommands(
  program: Command,
  run: RunWithContext,
  issuerFor: IssuerFactory,
): void {
  const partner = program.command('partner').description('manage partner institutions');

  partner
    .command('register')
    .description(
      'register an institution with a JWKS, a CSR (a certificate is issued) or a certificate',
    )
    .requiredOption('--id <id>', 'partner id: lowercase letters, digits, hyphens')
    .requiredOption('--name <name>', 'the institution name')
    .requiredOption('--role <role>', 'organization role code, e.g. police, shelter')
    .option('--jwks <file>', 'JWKS file with the public keys the partner signs with (- for stdin)')
    .option('--csr <file>', 'PKCS#10 CSR in PEM (- for stdin)')
    .option('--certificate <file>', 'a certificate from an external trust anchor, PEM')
    .option('--validity-days <days>', 'validity of a certificate issued from --csr')
    .option('--endpoint <url>', 'https push address (rest-hook) for deliveries')
    .option(
      '--encryption-key <file>',
      'public JWK (P-256, X25519 or RSA) referrals are encrypted to',
    )
    .option('--alg <alg...>', 'allowed signing algorithms (default ES256 ES384 PS256 RS384 EdDSA)')
    .action((options: RegisterOptions) =>
      run(async (context) => {
        const credential = await credentialFrom(options);
        const issueCertificate = credential.kind === 'csr' ? await issuerFor(context) : undefined;
        const result = await registerPartner(
          {
            id: options.id,
            name: options.name,
            role: options.role,
            credential,
            ...(options.alg === undefined ? {} : { allowedAlgorithms: options.alg }),
            ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
            ...(options.encryptionKey === undefined
              ? {}
              : { encryptionKey: await readJson(options.encryptionKey, 'encryption key') }),
          },
          commandLineActor(),
          {
            store: context.store,
            clock: context.clock,
            allowLoopbackHttp: context.config.profile === 'development',
            ...(issueCertificate === undefined ? {} : { issueCertificate }),
          },
        );
        printJson({
          partner: result.partner,
          client_id: result.client.clientId,
          ...(result.certificatePem === undefined ? {} : { certificate: result.certificatePem }),
          ...(result.endpoint === undefined ? {} : { endpoint: result.endpoint }),
        });
      }),
    );

  partner
    .command('list')
    .description('list partners')
    .option('--role <role>', 'only this role')
    .action((options: { role?: string }) =>
      run(async ({ store }) => {
        const partners = await listPartners(store.db);
        printJson(
          options.role === undefined ? partners : partners.filter((p) => p.role === options.role),
        );
      }),
    );

  partner
    .command('show <id>')
    .description('show a partner with its clients and endpoints')
    .action((id: string) =>
      run(async ({ store }) => {
        const found = await findPartner(store.db, id);
        if (found === undefined) {
          throw new GatewayError('ENLACE_PARTNER_NOT_FOUND', `No partner has the id ${id}.`);
        }
        const [clients, endpoints] = await Promise.all([
          listClients(store.db, id),
          listEndpoints(store.db, { partnerId: id }),
        ]);
        printJson({ partner: found, clients, endpoints });
      }),
    );

  for (const [command, status] of [
    ['suspend', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    partner
      .command(`${command} <id>`)
      .description(
        `${command} a partner; its tokens ${status === 'active' ? 'work again' : 'stop working at once'}`,
      )
      .action((id: string) =>
        run(async ({ store, clock }) => {
          printJson(await setPartnerStatus(id, status, commandLineActor(), { store, clock }));
        }),
      );
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readInput(path)) as unknown;
  } catch (cause) {
    throw new GatewayError('ENLACE_PARTNER_INVALID', `The ${what} file is not valid JSON.`, {
      cause,
    });
  }
}

async function credentialFrom(options: RegisterOptions): Promise<PartnerCredential> {
  const given = [options.jwks, options.csr, options.certificate].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      'Give exactly one of --jwks, --csr, --certificate.',
    );
  }
  if (options.jwks !== undefined) {
    let jwks: unknown;
    try {
      jwks = JSON.parse(await readInput(options.jwks));
    } catch (cause) {
      throw new GatewayError('ENLACE_PARTNER_INVALID', 'The JWKS file is not valid JSON.', {
        cause,
      });
    }
    return { kind: 'jwks', jwks };
  }
  if (options.csr !== undefined) {
    const validityDays =
      options.validityDays === undefined ? undefined : Number(options.validityDays);
    if (validityDays !== undefined && !Number.isInteger(validityDays)) {
      throw new GatewayError('ENLACE_PARTNER_INVALID', '--validity-days must be a whole number.');
    }
    return {
      kind: 'csr',
      csrPem: await readInput(options.csr),
      ...(validityDays === undefined ? {} : { validityDays }),
    };
  }
  return { kind: 'certificate', certificatePem: await readInput(options.certificate ?? '-') };
}
