// `enlace consent record|evaluate|revoke`: her consent, recorded, asked about and withdrawn through the SDK.
import { readFile } from 'node:fs/promises';
import type { Consent } from '@medplum/fhirtypes';
import type { Command } from 'commander';
import {
  dataClasses,
  organizationRoles,
  purposes,
  type ConsentActor,
  type ConsentInput,
  type RecordedConsent,
} from '../sdk/index.js';
import {
  connectPartner,
  oneOf,
  partnerAction,
  readIdentifier,
  repeatable,
  report,
  usageError,
  withPartnerOptions,
  type PartnerOptions,
} from './partner-session.js';

type Env = Readonly<Record<string, string | undefined>>;

interface RecordOptions extends PartnerOptions {
  readonly file?: string;
  readonly survivor?: string;
  readonly actorRole?: string;
  readonly actorOrganization?: string;
  readonly purpose?: string[];
  readonly dataClass?: string[];
  readonly start?: string;
  readonly end?: string;
}

const recordedJson = (recorded: RecordedConsent) => ({
  id: recorded.id,
  version: recorded.version,
  reference: recorded.reference,
  status: recorded.resource.status,
});

function actorOf(options: RecordOptions): ConsentActor {
  if ((options.actorRole === undefined) === (options.actorOrganization === undefined)) {
    usageError('give one of --actor-role and --actor-organization');
  }
  return options.actorRole === undefined
    ? { organization: options.actorOrganization ?? '' }
    : { role: oneOf(organizationRoles, options.actorRole, '--actor-role') };
}

async function consentOf(options: RecordOptions): Promise<ConsentInput | Consent> {
  if (options.file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(options.file, 'utf8'));
    } catch (err) {
      return usageError(`${options.file}: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null)
      usageError(`${options.file}: not a JSON object`);
    return parsed as ConsentInput | Consent;
  }
  if (options.survivor === undefined) usageError('give --survivor (or --file)');
  const purposesGiven = options.purpose ?? [];
  const classesGiven = options.dataClass ?? [];
  if (purposesGiven.length === 0) usageError('give at least one --purpose');
  if (classesGiven.length === 0) usageError('give at least one --data-class');
  return {
    survivor: readIdentifier(options.survivor, '--survivor'),
    actor: actorOf(options),
    purposes: purposesGiven.map((p) => oneOf(purposes, p, '--purpose')),
    dataClasses: classesGiven.map((c) => oneOf(dataClasses, c, '--data-class')),
    ...(options.start === undefined ? {} : { start: options.start }),
    ...(options.end === undefined ? {} : { end: options.end }),
  };
}

export function addConsentCommands(program: Command, env: Env): void {
  const consent = program
    .command('consent')
    .description("partner: the survivor's consent — record it, ask what it decides, withdraw it");

  withPartnerOptions(consent.command('record').description('record what she agreed to'))
    .option('--file <file>', 'the consent as plain terms (JSON) or a whole FHIR Consent')
    .option('--survivor <system|value>', 'her identifier')
    .option(
      '--actor-role <role>',
      `who may receive: any institution of a role (${organizationRoles.join(', ')})`,
    )
    .option('--actor-organization <id>', 'who may receive: one institution by its partner id')
    .option('--purpose <purpose>', `a purpose (repeatable): ${purposes.join(', ')}`, repeatable)
    .option(
      '--data-class <class>',
      `a data class (repeatable): ${dataClasses.join(', ')}`,
      repeatable,
    )
    .option('--start <date>', 'when the permission starts (default: today)')
    .option('--end <date>', 'when it ends (default: until she withdraws it)')
    .addHelpText(
      'after',
      `
Prints the reference a referral names as the consent it relies on.

Example:
  enlace consent record --survivor 'https://registro.example.org/fhir/NamingSystem/cedula|4.512.337-1' \\
    --actor-role shelter --purpose shelter --data-class contact-details --data-class risk-assessment`,
    )
    .action((options: RecordOptions) =>
      partnerAction(options, async () => {
        const terms = await consentOf(options);
        const client = await connectPartner(env, options);
        const recorded = await client.consent.record(terms);
        report(options, recordedJson(recorded), `recorded ${recorded.reference}`);
      }),
    );

  withPartnerOptions(
    consent
      .command('evaluate')
      .description('ask what her consents decide for a recipient and purpose'),
  )
    .requiredOption('--survivor <system|value>', 'her identifier')
    .requiredOption('--purpose <purpose>', purposes.join(', '))
    .option('--actor <id>', 'the institution that would receive (default: this one)')
    .option('--data-class <class>', 'a data class (repeatable; default: every class)', repeatable)
    .option('--at <instant>', 'judge on the consents in force then (ISO 8601)')
    .addHelpText(
      'after',
      `
The decision is permit, deny or no-consent; the exit code is 0 for each (it is an answer, not an error).

Example:
  enlace consent evaluate --survivor 'https://registro.example.org/fhir/NamingSystem/cedula|4.512.337-1' \\
    --purpose shelter --actor refugio-esperanza`,
    )
    .action(
      (
        options: PartnerOptions & {
          survivor: string;
          purpose: string;
          actor?: string;
          dataClass?: string[];
          at?: string;
        },
      ) =>
        partnerAction(options, async () => {
          const at = options.at === undefined ? undefined : new Date(options.at);
          if (at !== undefined && Number.isNaN(at.getTime()))
            usageError('--at must be an ISO 8601 instant');
          const query = {
            survivor: readIdentifier(options.survivor, '--survivor'),
            purpose: oneOf(purposes, options.purpose, '--purpose'),
            ...(options.actor === undefined ? {} : { actor: options.actor }),
            ...(options.dataClass === undefined
              ? {}
              : {
                  dataClasses: options.dataClass.map((c) => oneOf(dataClasses, c, '--data-class')),
                }),
            ...(at === undefined ? {} : { at }),
          };
          const client = await connectPartner(env, options);
          const evaluation = await client.consent.evaluate(query);
          report(options, evaluation, [
            `decision: ${evaluation.decision}${evaluation.reason === undefined ? '' : ` (${evaluation.reason})`}`,
            `permitted: ${evaluation.permitted.join(', ') || 'none'}`,
            `removed: ${evaluation.remove.join(', ') || 'none'}`,
            `relied on: ${evaluation.reliedOn.join(', ') || 'none'}`,
            ...(evaluation.conflict.length === 0
              ? []
              : [`conflicting: ${evaluation.conflict.join(', ')}`]),
          ]);
        }),
    );

  withPartnerOptions(
    consent
      .command('revoke')
      .argument('<consent>', 'the Consent id (or Consent/<id>)')
      .description('withdraw her consent on her behalf; institutions that received data are told'),
  )
    .requiredOption('--reason <text>', 'her reason, in her words (never her name)')
    .option('--if-match <version>', 'the Consent version last seen')
    .addHelpText(
      'after',
      "\nExample:\n  enlace consent revoke 7 --reason 'She asked to stop sharing.'",
    )
    .action((id: string, options: PartnerOptions & { reason: string; ifMatch?: string }) =>
      partnerAction(options, async () => {
        const bare = id.replace(/^Consent\//, '').replace(/\/_history\/.*$/, '');
        const client = await connectPartner(env, options);
        const target =
          options.ifMatch === undefined
            ? bare
            : { ...(await client.consent.read(bare)), version: options.ifMatch };
        const revoked = await client.consent.revoke(target, options.reason);
        report(
          options,
          { ...recordedJson(revoked.consent), notifiedInstitutions: revoked.notifiedInstitutions },
          `revoked ${revoked.consent.reference}; ${revoked.notifiedInstitutions} institution(s) that received her data were told`,
        );
      }),
    );
}
