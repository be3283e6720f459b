// The AuditEvent search parameters as the CapabilityStatement documents them.
import type { SearchParamDeclaration } from '../../fhir/index.js';

export const AUDIT_SEARCH_PARAM_DOCS: readonly SearchParamDeclaration[] = [
  {
    name: 'date',
    type: 'date',
    documentation:
      'recorded: eq (default), ge, gt, le or lt and a FHIR date or dateTime (a date is UTC); repeat for a range',
  },
  {
    name: 'agent',
    type: 'reference',
    documentation:
      'Who acted: Organization/<id>, Device/<id>; agent:identifier=system|value for a client id or a person',
  },
  {
    name: 'entity',
    type: 'reference',
    documentation:
      'What was acted on: Task/<id>, Consent/<id>/_history/<v>; entity:identifier=system|value, e.g. the request id',
  },
  {
    name: 'patient',
    type: 'reference',
    documentation:
      "The survivor's gateway pseudonym; patient:identifier=system|value is pseudonymised under every key before searching and never stored",
  },
  {
    name: 'type',
    type: 'token',
    documentation: 'AuditEvent.type: [system|]code, comma-separated alternatives',
  },
  {
    name: 'subtype',
    type: 'token',
    documentation: 'AuditEvent.subtype: [system|]code, comma-separated alternatives',
  },
  { name: 'action', type: 'token', documentation: 'C, R, U, D or E, comma-separated' },
  { name: 'outcome', type: 'token', documentation: '0, 4, 8 or 12, comma-separated' },
];
