// Reads an export's kick-off parameters: a time range and one survivor, pseudonymised before anything is stored.
import type { ExportFilter } from '../audit/export/index.js';
import type { Pseudonymizer } from '../consent/index.js';
import { GatewayError } from '../kernel/index.js';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const KNOWN = new Set([
  '_since',
  '_until',
  '_type',
  '_outputFormat',
  'patient',
  'patient:identifier',
]);
const NDJSON = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);

const invalid = (name: string, text: string) =>
  new GatewayError('ENLACE_INVALID_PARAMETER', text, { expression: [name] });

function instant(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  const [value] = values;
  if (
    values.length > 1 ||
    value === undefined ||
    !INSTANT.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw invalid(
      name,
      `${name} must appear once, as a FHIR instant such as 2026-01-31T00:00:00Z.`,
    );
  }
  return new Date(value).toISOString();
}

export function readExportFilter(
  query: URLSearchParams,
  pseudonymizer: Pseudonymizer,
): ExportFilter {
  for (const name of query.keys()) {
    if (!KNOWN.has(name))
      throw invalid(
        name.slice(0, 64),
        `The export does not support the parameter ${name.slice(0, 64)}.`,
      );
  }
  const type = query.get('_type');
  if (type !== null && type !== 'AuditEvent')
    throw invalid('_type', 'Only AuditEvent can be exported here.');
  const format = query.get('_outputFormat');
  if (format !== null && !NDJSON.has(format))
    throw invalid('_outputFormat', 'The export is NDJSON.');
  const since = instant(query, '_since');
  const until = instant(query, '_until');
  const pseudonyms = new Set(query.getAll('patient'));
  for (const token of query.getAll('patient:identifier')) {
    const bar = token.indexOf('|');
    if (bar <= 0 || bar === token.length - 1) {
      throw invalid('patient:identifier', 'patient:identifier must be system|value.');
    }
    // Why here: her identifier is turned into pseudonyms at once and never stored or logged.
    for (const pseudonym of pseudonymizer.all({
      system: token.slice(0, bar),
      value: token.slice(bar + 1),
    })) {
      pseudonyms.add(pseudonym.value);
    }
  }
  return {
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(pseudonyms.size === 0 ? {} : { pseudonyms: [...pseudonyms] }),
  };
}
