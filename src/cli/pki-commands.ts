// `enlace pki init|issue|revoke|list|crl`: the network CA, worked on the configured data directory and database.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { commandLineActor } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import { DEFAULT_CERTIFICATE_DAYS } from '../partners/index.js';
import {
  initNetworkPki,
  isRevocationReason,
  REVOCATION_REASONS,
  toCertificateJson,
  type Pki,
} from '../pki/index.js';
import { CREATES_DATA_DIR, type CommandContext } from './context.js';
import { printJson, readInput } from './io.js';
import type { RunWithContext } from './partner-commands.js';

/** The PKI as the gateway loads it, from the same configuration. */
export const pkiOf = (context: CommandContext): Pki => context.capabilities.pki;

export function addPkiCommands(program: Command, run: RunWithContext): void {
  const pki = program.command('pki').description("the network's certificate authority");

  pki
    .command('init')
    .description(
      'create the root and issuing CA of a new network (keys stay in the data directory)',
    )
    .requiredOption('--network-name <name>', 'shown in the CA subjects, e.g. "Red Enlace Uruguay"')
    .option('--force', 'replace an existing CA: every certificate it issued stops validating')
    .action((options: { networkName: string; force?: boolean }) =>
      run(async ({ config, clock }) => {
        const files = await initNetworkPki({
          dataDir: config.dataDir,
          networkName: options.networkName,
          force: options.force === true,
          clock,
        });
        printJson({ dir: files.dir, root: files.rootCertPem, issuing: files.issuingCertPem });
        process.stderr.write(
          `enlace: a gateway already running on ${config.dataDir} uses this CA from its next request; no restart is needed\n`,
        );
      }, CREATES_DATA_DIR),
    );

  pki
    .command('issue')
    .description('issue a partner certificate from a PKCS#10 CSR')
    .requiredOption('--csr <file>', 'CSR in PEM (- for stdin)')
    .requiredOption('--partner-id <id>', 'the registered partner id')
    .requiredOption('--partner-name <name>', 'the institution name for the subject')
    .option('--days <days>', 'validity in days', String(DEFAULT_CERTIFICATE_DAYS))
    .action((options: { csr: string; partnerId: string; partnerName: string; days: string }) =>
      run(async (context) => {
        const record = await pkiOf(context).issueCertificate({
          csrPem: await readInput(options.csr),
          partnerId: options.partnerId,
          partnerName: options.partnerName,
          validityDays: Number(options.days),
          actor: commandLineActor(),
        });
        printJson(toCertificateJson(record));
      }),
    );

  pki
    .command('revoke <serial>')
    .description('revoke a certificate; it is refused from the next request on')
    .requiredOption('--reason <reason>', `one of ${REVOCATION_REASONS.join(', ')}`)
    .action((serial: string, options: { reason: string }) =>
      run(async (context) => {
        if (!isRevocationReason(options.reason)) {
          throw new GatewayError(
            'ENLACE_INVALID_PARAMETER',
            `--reason must be one of ${REVOCATION_REASONS.join(', ')}.`,
          );
        }
        const record = await pkiOf(context).revokeCertificate({
          serial,
          reason: options.reason,
          actor: commandLineActor(),
        });
        printJson(toCertificateJson(record));
      }),
    );

  pki
    .command('list')
    .description('list issued certificates')
    .option('--partner <id>', 'only this partner')
    .action((options: { partner?: string }) =>
      run(async (context) => {
        const records = await pkiOf(context).listCertificates(options.partner);
        printJson(records.map(toCertificateJson));
      }),
    );

  pki
    .command('crl')
    .description('write the current CRL (DER) to a file')
    .requiredOption('--out <file>', 'where to write it')
    .action((options: { out: string }) =>
      run(async (context) => {
        await writeFile(options.out, await pkiOf(context).buildCrl());
        printJson({ written: options.out });
      }),
    );
}
