// Step 5a — what a referral carries: its Task, the survivor's identifiers, the purpose and the data classes.
import type { BundleEntry, Resource, Task } from '@medplum/fhirtypes';
import {
  DATA_CLASS_SYSTEM,
  PURPOSE_SYSTEM,
  dataClasses,
  purposes,
  type DataClass,
  type Purpose,
  type SurvivorIdentifier,
} from '../../consent/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { SubmittedMessage } from './submission-types.js';

export interface ReferralContent {
  readonly task: Task;
  readonly survivorIdentifiers: readonly SurvivorIdentifier[];
  readonly purpose: Purpose;
  /** Sorted, without repeats: the union of the entries' data-class labels. */
  readonly dataClasses: readonly DataClass[];
}

const invalid = (text: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_MESSAGE_INVALID', text, { expression: [expression] });

const isPurpose = (code: unknown): code is Purpose =>
  typeof code === 'string' && (purposes as readonly string[]).includes(code);
const isDataClass = (code: unknown): code is DataClass =>
  typeof code === 'string' && (dataClasses as readonly string[]).includes(code);

export function readReferralContent(
  message: SubmittedMessage,
  parties: { readonly sender: string; readonly recipient: string },
): ReferralContent {
  const entries = message.bundle.entry ?? [];
  const task = focusedTask(message, entries);
  // Why the parties are checked: the stored Task decides who may read and change the referral, so
  // it must name the same two institutions as the signed header and the token.
  if (task.requester?.reference !== `Organization/${parties.sender}`) {
    throw invalid('Task.requester must be the sending institution.', 'Task.requester');
  }
  if (task.owner?.reference !== `Organization/${parties.recipient}`) {
    throw invalid('Task.owner must be the receiving institution.', 'Task.owner');
  }
  return {
    task,
    survivorIdentifiers: survivorIdentifiers(entries),
    purpose: purposeOf(message),
    dataClasses: dataClassesOf(entries),
  };
}

function focusedTask(message: SubmittedMessage, entries: readonly BundleEntry[]): Task {
  const focus = message.header.focus?.[0]?.reference;
  const entry = entries.find((candidate) => candidate.fullUrl === focus);
  if (focus === undefined || entry?.resource?.resourceType !== 'Task') {
    throw invalid(
      'MessageHeader.focus must reference the referral Task in the Bundle.',
      'Bundle.entry[0].resource.focus',
    );
  }
  return entry.resource;
}

/** Why exactly one Patient: consent is hers; a message about two women needs two decisions. */
function survivorIdentifiers(entries: readonly BundleEntry[]): SurvivorIdentifier[] {
  const patients = entries.filter((entry) => entry.resource?.resourceType === 'Patient');
  const patient = patients[0]?.resource;
  if (patients.length !== 1 || patient?.resourceType !== 'Patient') {
    throw invalid(
      'A referral carries exactly one Patient (the survivor).',
      'Bundle.entry.resource',
    );
  }
  const identifiers = (patient.identifier ?? []).flatMap((identifier) =>
    identifier.system === undefined || identifier.value === undefined
      ? []
      : [{ system: identifier.system, value: identifier.value }],
  );
  if (identifiers.length === 0) {
    throw invalid('The survivor must be identified (Patient.identifier).', 'Patient.identifier');
  }
  return identifiers;
}

/**
 * The purpose travels in `MessageHeader.reason` as one Coding of the consent-purpose code system:
 * the signed header says why the data moves, and consent is decided for exactly that purpose.
 */
function purposeOf(message: SubmittedMessage): Purpose {
  const codes = (message.header.reason?.coding ?? []).filter(
    (coding) => coding.system === PURPOSE_SYSTEM,
  );
  const code = codes[0]?.code;
  if (codes.length !== 1 || !isPurpose(code)) {
    throw invalid(
      `MessageHeader.reason must carry exactly one purpose Coding of ${PURPOSE_SYSTEM}.`,
      'Bundle.entry[0].resource.reason',
    );
  }
  return code;
}

/** Why unknown labels are refused: consent cannot be decided for a class it has no name for. */
function dataClassesOf(entries: readonly BundleEntry[]): DataClass[] {
  const found = new Set<DataClass>();
  entries.forEach((entry, index) => {
    for (const label of labelsOf(entry.resource)) {
      if (!isDataClass(label)) {
        throw invalid(
          `A data-class label is not a code of ${DATA_CLASS_SYSTEM}.`,
          `Bundle.entry[${index}].resource.meta.security`,
        );
      }
      found.add(label);
    }
  });
  return [...found].sort();
}

const labelsOf = (resource: Resource | undefined): (string | undefined)[] =>
  (resource?.meta?.security ?? [])
    .filter((label) => label.system === DATA_CLASS_SYSTEM)
    .map((label) => label.code);
