// `enlace send|inbox|get|accept|reject|start|complete|fail|cancel`: a partner's referrals and their Tasks, through the SDK.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Task } from '@medplum/fhirtypes';
import { CommanderError, type Command } from 'commander';
import {
  EnlaceVerificationError,
  formsOfViolence,
  purposes,
  riskLevels,
  services,
  type EnlaceClient,
  type OpenedReferral,
  type ReferralInput,
  type TaskRef,
} from '../sdk/index.js';
import { EXIT_FAILED, EXIT_VERIFICATION } from './exit-codes.js';
import { printJson } from './io.js';
import { progressBarFor } from './progress-bar.js';
import {
  connectPartner,
  errorJson,
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

const PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;

interface PlainInputs {
  readonly to?: string;
  readonly survivor?: string;
  readonly consent?: string;
  readonly purpose?: string;
  readonly risk?: string;
  readonly service?: string[];
  readonly violence?: string[];
  readonly summary?: string;
  readonly contactName?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly birthDate?: string;
  readonly priority?: string;
  readonly messageId?: string;
}

type SendOptions = PartnerOptions & PlainInputs;

const PLAIN: readonly (keyof PlainInputs)[] = [
  'survivor',
  'consent',
  'purpose',
  'risk',
  'service',
  'violence',
  'summary',
  'contactName',
  'phone',
  'email',
  'birthDate',
  'priority',
  'messageId',
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Checks a referral's plain inputs before anything is signed; a usage error names the first wrong one. */
function checkInput(value: unknown, where: string): ReferralInput {
  if (!isRecord(value))
    usageError(`${where}: a referral is a JSON object (see enlace send --help)`);
  const need = (name: string) => {
    const given = value[name];
    if (!text(given)) usageError(`${where}: "${name}" is required`);
    return given;
  };
  const list = (name: string) => {
    const items = value[name];
    if (!Array.isArray(items) || items.length === 0 || !items.every(text)) {
      usageError(`${where}: "${name}" is a list of at least one code`);
    }
    return items;
  };
  need('to');
  need('consent');
  need('summary');
  const survivor = value.survivor;
  if (!isRecord(survivor) || !text(survivor.system) || !text(survivor.value)) {
    usageError(`${where}: "survivor" is {"system": …, "value": …}`);
  }
  oneOf(purposes, need('purpose'), `${where}: "purpose"`);
  oneOf(riskLevels, need('risk'), `${where}: "risk"`);
  for (const code of list('services')) oneOf(services, code, `${where}: "services"`);
  for (const code of list('violence')) oneOf(formsOfViolence, code, `${where}: "violence"`);
  if (value.priority !== undefined) {
    if (!text(value.priority))
      usageError(`${where}: "priority" is one of ${PRIORITIES.join(', ')}`);
    oneOf(PRIORITIES, value.priority, `${where}: "priority"`);
  }
  return value as unknown as ReferralInput;
}

function fromFlags(options: SendOptions): unknown {
  const contact = {
    ...(options.contactName === undefined ? {} : { name: options.contactName }),
    ...(options.phone === undefined ? {} : { phone: options.phone }),
    ...(options.email === undefined ? {} : { email: options.email }),
  };
  return {
    to: options.to,
    ...(options.survivor === undefined
      ? {}
      : { survivor: readIdentifier(options.survivor, '--survivor') }),
    consent: options.consent,
    purpose: options.purpose,
    risk: options.risk,
    services: options.service,
    violence: options.violence,
    summary: options.summary,
    ...(Object.keys(contact).length === 0 ? {} : { contact }),
    ...(options.birthDate === undefined ? {} : { birthDate: options.birthDate }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
  };
}

async function readInputs(files: readonly string[], options: SendOptions) {
  if (files.length === 0)
    return [
      { source: 'the command line', input: checkInput(fromFlags(options), 'the command line') },
    ];
  const given = PLAIN.filter((name) => options[name] !== undefined);
  if (given.length > 0)
    usageError(`give message files or plain inputs, not both (--${given[0] ?? ''})`);
  const inputs = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      return usageError(`${file}: ${(err as Error).message}`);
    }
    const withTo =
      isRecord(parsed) && options.to !== undefined ? { ...parsed, to: options.to } : parsed;
    inputs.push({ source: file, input: checkInput(withTo, file) });
  }
  return inputs;
}

interface SendResult {
  readonly source: string;
  readonly to: string;
  readonly taskId?: string;
  readonly messageId?: string;
  readonly error?: Record<string, unknown>;
}

async function runSend(env: Env, files: readonly string[], options: SendOptions): Promise<void> {
  const inputs = await readInputs(files, options);
  const client = await connectPartner(env, options);
  const bar = inputs.length > 1 ? progressBarFor('referrals', options) : undefined;
  const results: SendResult[] = [];
  let exitCode = 0;
  for (const [index, { source, input }] of inputs.entries()) {
    try {
      const sent = await client.referrals.send(input);
      results.push({ source, to: input.to, taskId: sent.taskId, messageId: sent.messageId });
    } catch (err) {
      // Why keep going: each message stands alone; a refusal of one must not leave the rest unsent.
      results.push({ source, to: input.to, error: errorJson(err) });
      const code = err instanceof EnlaceVerificationError ? EXIT_VERIFICATION : EXIT_FAILED;
      exitCode = Math.max(exitCode, code);
      bar?.end();
      process.stderr.write(`enlace: ${source}: ${(err as Error).message}\n`);
    }
    bar?.update(index + 1, inputs.length);
  }
  bar?.end();
  if (options.json === true) printJson(files.length > 1 ? results : results[0]);
  else {
    for (const result of results) {
      if (result.taskId !== undefined) {
        process.stdout.write(
          `sent ${result.source} to ${result.to}: Task/${result.taskId} (message ${result.messageId ?? ''}); receipt verified\n`,
        );
      }
    }
  }
  if (exitCode !== 0) {
    const failed = results.filter((result) => result.error !== undefined).length;
    throw new CommanderError(
      exitCode,
      'enlace.send.failed',
      `${failed} of ${results.length} not sent`,
    );
  }
}

function summaryOf(task: Task) {
  return {
    id: task.id,
    status: task.status,
    ...(task.businessStatus?.coding?.[0]?.code === undefined
      ? {}
      : { businessStatus: task.businessStatus.coding[0].code }),
    priority: task.priority,
    requester: task.requester?.reference,
    owner: task.owner?.reference,
    authoredOn: task.authoredOn,
    lastModified: task.lastModified,
    version: task.meta?.versionId,
  };
}

const partnerOf = (reference: string | undefined) =>
  reference?.replace(/^Organization\//, '') ?? '?';

function addSend(program: Command, env: Env): void {
  withPartnerOptions(
    program
      .command('send')
      .argument('[message.json...]', 'referral inputs as JSON, one referral a file')
      .description('partner: build, sign, encrypt and send referrals; verify each receipt'),
  )
    .option('--to <org>', 'the receiving institution (overrides "to" in the files)')
    .option(
      '--survivor <system|value>',
      'her identifier, e.g. https://registro.example.org/fhir/NamingSystem/cedula|4.512.337-1',
    )
    .option('--consent <ref>', 'the consent relied on: Consent/<id>/_history/<version>')
    .option('--purpose <purpose>', `one of ${purposes.join(', ')}`)
    .option('--risk <level>', `one of ${riskLevels.join(', ')}`)
    .option(
      '--service <code>',
      `a service requested (repeatable): ${services.join(', ')}`,
      repeatable,
    )
    .option(
      '--violence <code>',
      `a form of violence (repeatable): ${formsOfViolence.join(', ')}`,
      repeatable,
    )
    .option('--summary <text>', 'what the recipient needs to know (never her address or phone)')
    .option('--contact-name <name>', 'her name, for contact (labelled contact-details)')
    .option('--phone <phone>', 'her phone (labelled contact-details)')
    .option('--email <email>', 'her e-mail (labelled contact-details)')
    .option('--birth-date <date>', 'year or date of birth')
    .option('--priority <priority>', PRIORITIES.join(', '))
    .option('--message-id <uuid>', "the message's id: send again with the same id to retry safely")
    .addHelpText(
      'after',
      `
A message file holds the plain inputs: {"to", "survivor": {"system", "value"}, "consent",
"purpose", "risk", "services": [...], "violence": [...], "summary", optional "contact": {"name",
"phone", "email"}, "birthDate", "priority", "messageId"}. Several files are sent one after the
other (a progress bar on a terminal); a refusal of one does not stop the others. --json prints the
result object, or an array of them for several files.

Examples:
  enlace send referral.json --to refugio-esperanza
  enlace send --to refugio-esperanza --survivor 'https://registro.example.org/fhir/NamingSystem/cedula|4.512.337-1' \\
    --consent Consent/7/_history/1 --purpose shelter --risk high --service shelter \\
    --violence physical --summary 'Needs a safe place tonight.'`,
    )
    .action((files: string[], options: SendOptions) =>
      partnerAction(options, () => runSend(env, files, options)),
    );
}

function addInbox(program: Command, env: Env): void {
  withPartnerOptions(
    program
      .command('inbox')
      .description(
        'partner: the referrals sent to this institution (its Tasks), newest change first',
      ),
  )
    .option(
      '--status <statuses>',
      'only these Task statuses, comma-separated, e.g. requested,received',
    )
    .option('--sent', 'the referrals this institution sent instead')
    .option('--limit <n>', 'at most this many')
    .addHelpText('after', '\nExample:\n  enlace inbox --status requested --json')
    .action((options: PartnerOptions & { status?: string; sent?: boolean; limit?: string }) =>
      partnerAction(options, async () => {
        const limit = options.limit === undefined ? Infinity : Number(options.limit);
        if (!(limit >= 1) || !Number.isInteger(limit === Infinity ? 1 : limit)) {
          usageError('--limit must be a whole number of at least 1');
        }
        const client = await connectPartner(env, options);
        const filter = options.status === undefined ? {} : { status: options.status.split(',') };
        const tasks =
          options.sent === true ? client.referrals.sent(filter) : client.referrals.inbox(filter);
        const found = [];
        for await (const task of tasks) {
          found.push(summaryOf(task));
          if (found.length >= limit) break;
        }
        report(
          options,
          found,
          found.length === 0
            ? 'no referrals'
            : found.map(
                (t) =>
                  `${t.id ?? ''}  ${t.status}  ${t.priority ?? ''}  from ${partnerOf(t.requester)} to ${partnerOf(t.owner)}  ${t.lastModified ?? ''}`,
              ),
        );
      }),
    );
}

function describeOpened(opened: OpenedReferral): string[] {
  const { content, senderKey } = opened;
  const signed =
    senderKey === undefined
      ? 'the sender signature was removed with the data her consent withheld; the gateway vouches for the rest'
      : senderKey.kind === 'certificate'
        ? `signed by ${content.sender} with certificate ${senderKey.subject} (serial ${senderKey.serial}), chain verified`
        : `signed by ${content.sender} with its registered key ${senderKey.kid}`;
  return [
    `Task/${opened.taskId}: ${opened.task.status} (version ${opened.task.meta?.versionId ?? ''})`,
    `from ${content.sender} to ${content.recipient}, purpose ${content.purpose ?? ''}, risk ${content.risk ?? ''}`,
    `survivor: ${content.survivor.map((id) => `${id.system}|${id.value}`).join(', ')}`,
    `services: ${content.services.join(', ')}; violence: ${content.violence.join(', ')}`,
    `summary: ${content.summary ?? ''}`,
    ...(content.contact === undefined
      ? []
      : [`contact: ${Object.values(content.contact).join(', ')}`]),
    `verified: ${signed}`,
    `consent: ${opened.decision}`,
  ];
}

function addGet(program: Command, env: Env): void {
  withPartnerOptions(
    program
      .command('get')
      .argument('<task>', 'the Task id')
      .description(
        'partner: retrieve a referral, decrypted, its signature, chain and consent decision verified',
      ),
  )
    .option('--save <file>', 'also write the delivered Bundle there (mode 0600: it is case data)')
    .addHelpText(
      'after',
      `
Exits ${EXIT_VERIFICATION} when anything fails to verify, and prints nothing of the referral then.

Example:
  enlace get 0b5c8a1e-… --save referral.json`,
    )
    .action((taskId: string, options: PartnerOptions & { save?: string }) =>
      partnerAction(options, async () => {
        const client = await connectPartner(env, options);
        const opened = await client.referrals.open(taskId);
        if (options.save !== undefined) {
          await writeFile(options.save, `${JSON.stringify(opened.delivery, null, 2)}\n`, {
            mode: 0o600,
            flag: 'wx',
          });
        }
        report(
          options,
          {
            taskId: opened.taskId,
            task: summaryOf(opened.task),
            content: opened.content,
            verified: {
              senderKey: opened.senderKey ?? null,
              redacted: opened.redacted,
              reliedOn: opened.reliedOn,
              decision: opened.decision,
            },
            ...(options.save === undefined ? {} : { saved: resolve(options.save) }),
          },
          describeOpened(opened),
        );
      }),
    );
}

type Step = (client: EnlaceClient, task: TaskRef, text: string | undefined) => Promise<Task>;

const STEPS: readonly {
  readonly name: string;
  readonly describe: string;
  readonly text?: { readonly flag: string; readonly help: string; readonly required: boolean };
  readonly step: Step;
}[] = [
  {
    name: 'accept',
    describe: 'recipient: accept the referral (received → accepted)',
    text: { flag: '--note <text>', help: 'a note for the sender', required: false },
    step: (c, t, note) => c.tasks.accept(t, note),
  },
  {
    name: 'reject',
    describe: 'recipient: reject the referral, saying why',
    text: { flag: '--reason <text>', help: 'why (the sender reads it)', required: true },
    step: (c, t, reason) => c.tasks.reject(t, reason ?? ''),
  },
  {
    name: 'start',
    describe: 'recipient: start the service (accepted → in-progress)',
    text: { flag: '--note <text>', help: 'a note for the sender', required: false },
    step: (c, t, note) => c.tasks.start(t, note),
  },
  {
    name: 'complete',
    describe: 'recipient: complete the referral, saying what was provided',
    text: { flag: '--output <text>', help: 'what was provided', required: true },
    step: (c, t, output) => c.tasks.complete(t, output ?? ''),
  },
  {
    name: 'fail',
    describe: 'recipient: the service could not be provided, saying why',
    text: { flag: '--reason <text>', help: 'why', required: true },
    step: (c, t, reason) => c.tasks.fail(t, reason ?? ''),
  },
  {
    name: 'cancel',
    describe: 'sender: withdraw the referral before it is completed, saying why',
    text: { flag: '--reason <text>', help: 'why', required: true },
    step: (c, t, reason) => c.tasks.cancel(t, reason ?? ''),
  },
];

function addTaskSteps(program: Command, env: Env): void {
  for (const { name, describe, text: textOption, step } of STEPS) {
    const command = withPartnerOptions(
      program.command(name).argument('<task>', 'the Task id').description(`partner, ${describe}`),
    ).option('--if-match <version>', 'the Task version last seen (default: read it now)');
    if (textOption !== undefined) {
      if (textOption.required) command.requiredOption(textOption.flag, textOption.help);
      else command.option(textOption.flag, textOption.help);
    }
    const key = textOption?.flag.slice(2).split(' ')[0] ?? '';
    command
      .addHelpText(
        'after',
        `\nA Task changed since the version named is refused (412): read it again.\n\nExample:\n  enlace ${name} 0b5c8a1e-…${textOption?.required === true ? ` ${textOption.flag.split(' ')[0] ?? ''} '…'` : ''}`,
      )
      .action(
        (
          taskId: string,
          options: PartnerOptions & { ifMatch?: string } & Record<string, unknown>,
        ) =>
          partnerAction(options, async () => {
            const client = await connectPartner(env, options);
            const ref: TaskRef =
              options.ifMatch === undefined
                ? await client.tasks.read(taskId)
                : { id: taskId, version: options.ifMatch };
            const value = options[key];
            const moved = await step(client, ref, typeof value === 'string' ? value : undefined);
            report(
              options,
              summaryOf(moved),
              `Task/${moved.id ?? taskId} is ${moved.status} (version ${moved.meta?.versionId ?? ''})`,
            );
          }),
      );
  }
}

export function addReferralCommands(program: Command, env: Env): void {
  addSend(program, env);
  addInbox(program, env);
  addGet(program, env);
  addTaskSteps(program, env);
}
