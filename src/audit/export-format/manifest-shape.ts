// Checks that parsed manifest JSON has the exact shape of an audit export manifest, version 1.
import type { JsonValue } from '../../crypto/canonical-json.js';
import {
  AUDIT_EXPORT_EXTENSION,
  EXPORT_FORMAT_VERSION,
  type AuditExportExtension,
  type ExportManifest,
} from './export-manifest.js';
import { ExportFormatError } from './export-format-error.js';
import { isSafeExportName } from './export-paths.js';

type JsonObject = { readonly [key: string]: JsonValue | undefined };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function invalid(detail: string): never {
  throw new ExportFormatError('ERR_EXPORT_MANIFEST_INVALID', { detail });
}

function fileName(object: JsonObject, key: string): string {
  const name = object[key];
  if (typeof name !== 'string') invalid(`${key} is not a file name`);
  if (!isSafeExportName(name)) {
    // Why refuse here already: the manifest is untrusted, and `../x` or `/etc/x` is never ours.
    throw new ExportFormatError('ERR_EXPORT_PATH_UNSAFE', {
      detail: `${key}: ${JSON.stringify(name)}`,
    });
  }
  return name;
}

function toExtension(value: unknown): AuditExportExtension {
  if (!isObject(value)) invalid(`extension["${AUDIT_EXPORT_EXTENSION}"] is missing`);
  const { version, origin, treeSize, complete, filter } = value;
  if (version !== EXPORT_FORMAT_VERSION) invalid(`unsupported version ${JSON.stringify(version)}`);
  if (typeof origin !== 'string' || origin.length === 0) invalid('origin is not a string');
  if (!isCount(treeSize)) invalid('treeSize is not a safe non-negative integer');
  if (typeof complete !== 'boolean') invalid('complete is not a boolean');
  if (!isObject(filter)) invalid('filter is not an object');
  // Why exactly one of the two: a filtered export proves each line by its proof, a complete one by
  // the root over all leaves; a file meant for the other kind would only be ignored, or misread.
  if (complete ? value.proofs !== undefined : value.leafHashes !== undefined) {
    invalid(complete ? 'a complete export has no proofs' : 'a filtered export has no leafHashes');
  }
  return {
    version,
    origin,
    treeSize,
    complete,
    checkpoint: fileName(value, 'checkpoint'),
    ...(complete
      ? { leafHashes: fileName(value, 'leafHashes') }
      : { proofs: fileName(value, 'proofs') }),
    consistency: fileName(value, 'consistency'),
    filter: filter as AuditExportExtension['filter'],
  };
}

/** The manifest, or ERR_EXPORT_MANIFEST_INVALID / ERR_EXPORT_PATH_UNSAFE with what was wrong. */
export function toExportManifest(value: unknown): ExportManifest {
  if (!isObject(value)) invalid('not a JSON object');
  const { transactionTime, request, requiresAccessToken, output, error, extension } = value;
  if (typeof transactionTime !== 'string') invalid('transactionTime is not a string');
  if (typeof request !== 'string') invalid('request is not a string');
  if (requiresAccessToken !== true) invalid('requiresAccessToken is not true');
  if (!Array.isArray(error) || error.length !== 0) invalid('error is not an empty array');
  if (!Array.isArray(output) || output.length !== 1) invalid('output is not one file');
  const [file] = output as readonly unknown[];
  if (!isObject(file) || file.type !== 'AuditEvent') invalid('output[0].type is not AuditEvent');
  if (!isCount(file.count)) invalid('output[0].count is not a safe non-negative integer');
  const url = fileName(file, 'url');
  const audit = toExtension(isObject(extension) ? extension[AUDIT_EXPORT_EXTENSION] : undefined);
  // Why: a complete export is every leaf of the tree, so its count is the tree size, no more.
  if (audit.complete ? file.count !== audit.treeSize : file.count > audit.treeSize) {
    invalid('output[0].count does not fit treeSize');
  }
  return {
    transactionTime,
    request,
    requiresAccessToken,
    output: [{ type: 'AuditEvent', url, count: file.count }],
    error: [],
    extension: { [AUDIT_EXPORT_EXTENSION]: audit },
  };
}
