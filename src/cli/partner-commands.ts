// `enlace partner register|list|show|suspend|activate|add-client|rotate-key|remove-client`: the registry, worked on the configured database directly.
import type { Command } from 'commander';
import { commandLineActor } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  addClient,
  findPartner,
  listClientKeys,
  listClients,
  listEndpoints,
  listPartners,
  MAX_OVERLAP_DAYS,
  registerPartner,
  removeClient,
  rotateClientKey,
  setPartnerStatus,
  toClientView,
  type CertificateIssuer,
  type PartnerCredential,
} from '../partners/index.js';
import { CREATES_DATA_DIR, type CommandContext, type ContextOptions } from './context.js';
import { printJson, readInput } from './io.js';

/**
 * Runs a command's work with the configured data directory and database. Only commands that
 * initialise a network (`creates`) may create the data directory; the others refuse without it.
 */
export type RunWithContext = (
  work: (context: CommandContext) => Promise<void>,
  options?: ContextOptions,
) => Promise<void>;

/** Provides the PKI's certificate issuer for CSR registration, when the network CA exists. */
export type IssuerFactory = (context: CommandContext) => Promise<CertificateIssuer | undefined>;

/** The one credential a command names: a JWKS, a CSR (with its validity) or a certificate. */
interface CredentialOptions {
  readonly jwks?: string;
  readonly csr?: string;
  readonly certificate?: string;
  readonly validityDays?: string;
}

interface RegisterOptions extends CredentialOptions {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly endpoint?: string;
  readonly encryptionKey?: string;
  readonly alg?: string[];
}

const JWKS_HELP = 'JWKS file with the public keys the partner signs with (- for stdin)';
const CSR_HELP = 'PKCS#10 CSR in PEM (- for stdin); the network CA issues the certificate';
const CERTIFICATE_HELP = 'a certificate from an external trust anchor, PEM';

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
    .option('--jwks <file>', JWKS_HELP)
    .option('--csr <file>', CSR_HELP)
    .option('--certificate <file>', CERTIFICATE_HELP)
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
      }, CREATES_DATA_DIR),
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
      run(async ({ store, clock }) => {
        const found = await findPartner(store.db, id);
        if (found === undefined) {
          throw new GatewayError('ENLACE_PARTNER_NOT_FOUND', `No partner has the id ${id}.`);
        }
        const [clients, keys, endpoints] = await Promise.all([
          listClients(store.db, id),
          listClientKeys(store.db, id),
          listEndpoints(store.db, { partnerId: id }),
        ]);
        const at = clock();
        printJson({
          partner: found,
          clients: clients.map((client) => toClientView(client, keys, at)),
          endpoints,
        });
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

  addClientCommands(partner, run, issuerFor);
}

function addClientCommands(partner: Command, run: RunWithContext, issuerFor: IssuerFactory): void {
  partner
    .command('add-client <partner>')
    .description('give a partner another client (its own client_id and credential)')
    .option('--jwks <file>', JWKS_HELP)
    .option('--csr <file>', CSR_HELP)
    .option('--certificate <file>', CERTIFICATE_HELP)
    .option('--validity-days <days>', 'validity of a certificate issued from --csr')
    .option('--alg <alg...>', 'allowed signing algorithms (default ES256 ES384 PS256 RS384 EdDSA)')
    .action((partnerId: string, options: CredentialOptions & { readonly alg?: string[] }) =>
      run(async (context) => {
        const credential = await credentialFrom(options);
        const added = await addClient(
          {
            partnerId,
            credential,
            ...(options.alg === undefined ? {} : { allowedAlgorithms: options.alg }),
          },
          commandLineActor(),
          await clientDeps(context, credential, issuerFor),
        );
        printJson({
          client_id: added.client.clientId,
          client: added.client,
          ...(added.certificatePem === undefined ? {} : { certificate: added.certificatePem }),
        });
      }),
    );

  partner
    .command('rotate-key <partner>')
    .description(
      "replace a client's keys: the new ones work at once, the current ones until the overlap ends",
    )
    .option('--client <id>', 'the client whose keys rotate (needed when the partner has several)')
    .option('--jwks <file>', JWKS_HELP)
    .option('--csr <file>', CSR_HELP)
    .option('--certificate <file>', CERTIFICATE_HELP)
    .option('--validity-days <days>', 'validity of a certificate issued from --csr')
    .requiredOption(
      '--overlap <duration>',
      `how long the current keys keep working: 0, or e.g. 90m, 24h, 7d (at most ${String(MAX_OVERLAP_DAYS)}d)`,
    )
    .action(
      (
        partnerId: string,
        options: CredentialOptions & { readonly client?: string; readonly overlap: string },
      ) =>
        run(async (context) => {
          const credential = await credentialFrom(options);
          const rotated = await rotateClientKey(
            {
              partnerId,
              ...(options.client === undefined ? {} : { clientId: options.client }),
              credential,
              overlap: options.overlap,
            },
            commandLineActor(),
            await clientDeps(context, credential, issuerFor),
          );
          printJson({
            client: rotated.client,
            retiresAt: rotated.retiresAt,
            ...(rotated.certificatePem === undefined
              ? {}
              : { certificate: rotated.certificatePem }),
          });
        }),
    );

  partner
    .command('remove-client <partner>')
    .description('remove a client: its tokens and keys are refused from the next request on')
    .requiredOption('--client <id>', 'the client to remove')
    .action((partnerId: string, options: { readonly client: string }) =>
      run(async ({ store, clock }) => {
        const removed = await removeClient(
          { partnerId, clientId: options.client },
          commandLineActor(),
          { store, clock },
        );
        printJson({ client: removed.client });
      }),
    );
}

async function clientDeps(
  context: CommandContext,
  credential: PartnerCredential,
  issuerFor: IssuerFactory,
) {
  const issueCertificate = credential.kind === 'csr' ? await issuerFor(context) : undefined;
  return {
    store: context.store,
    clock: context.clock,
    ...(issueCertificate === undefined ? {} : { issueCertificate }),
  };
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

async function credentialFrom(options: CredentialOptions): Promise<PartnerCredential> {
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
