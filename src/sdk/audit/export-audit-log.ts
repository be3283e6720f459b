// An audit export from the auditor's side: kick off `$export`, poll with backoff, stream every file the manifest names to disk.
import { constants } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  auditExtensionOf,
  EXPORT_FILES,
  isSafeExportName,
  MAX_MANIFEST_BYTES,
  toExportManifest,
  type ExportManifest,
} from '../../audit/export-format/index.js';
import { EnlaceProtocolError } from '../errors.js';
import type { GatewayHttp } from '../transport/gateway-http.js';
import { failureOf } from '../transport/read-failure.js';

export interface AuditExportFilter {
  /** Only entries recorded at or after this FHIR instant. */
  readonly since?: string;
  /** Only entries recorded before this FHIR instant. */
  readonly until?: string;
  /** Her pseudonym(s). */
  readonly patient?: readonly string[];
  /** Her identifier as `system|value`; the gateway pseudonymises it and never stores it. */
  readonly patientIdentifier?: string;
}

export interface AuditExportOptions extends AuditExportFilter {
  /** The directory to download into: created (0700) if missing; an existing file is never overwritten. */
  readonly into: string;
  /** Called after each file is on disk: files done of files to download. */
  readonly onProgress?: (done: number, total: number) => void;
  /** First wait between polls (default 250 ms); doubled each time up to the gateway's Retry-After. */
  readonly pollIntervalMs?: number;
  /** Give up (EnlaceProtocolError) when the export is not complete after this long (default 10 min). */
  readonly timeoutMs?: number;
}

export interface AuditExport {
  /** The export's id at the gateway (its status URL ends with it). */
  readonly id: string;
  /** The manifest as written in the directory (relative file names), checked for shape and safe names. */
  readonly manifest: ExportManifest;
  /** The absolute directory, ready for `enlace audit verify`. */
  readonly directory: string;
  /** Absolute paths of the files written, `manifest.json` last. */
  readonly files: readonly string[];
  /** The AuditEvents the export holds. */
  readonly entries: number;
}

const DEFAULT_POLL_MS = 250;
const DEFAULT_MAX_POLL_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

const lastSegment = (url: string): string =>
  decodeURIComponent(new URL(url, 'http://x/').pathname.split('/').pop() ?? '');

/** The gateway's Retry-After in milliseconds, when it is a plain number of seconds. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d{1,5}$/.test(value) ? Number(value) * 1000 : undefined;
}

/**
 * A file name from the manifest, checked before it becomes a path. Why one plain segment: the
 * manifest is untrusted, and a name such as `../../.ssh/authorized_keys` must not be written.
 */
function checkedName(name: string): string {
  if (!isSafeExportName(name) || name.includes('/')) {
    throw new EnlaceProtocolError(`the export names an unsafe file: ${JSON.stringify(name)}`);
  }
  return name;
}

/** The files an export holds beside its manifest, as the manifest names them. */
function filesNamed(manifest: ExportManifest): string[] {
  const extension = auditExtensionOf(manifest);
  const names = [
    ...manifest.output.map((output) => output.url),
    extension.checkpoint,
    extension.consistency,
    ...(extension.proofs === undefined ? [] : [extension.proofs]),
    ...(extension.leafHashes === undefined ? [] : [extension.leafHashes]),
  ].map(checkedName);
  return [...new Set(names)].filter((name) => name !== EXPORT_FILES.manifest);
}

async function kickOff(http: GatewayHttp, filter: AuditExportFilter): Promise<string> {
  const query = {
    ...(filter.since === undefined ? {} : { _since: filter.since }),
    ...(filter.until === undefined ? {} : { _until: filter.until }),
    ...(filter.patientIdentifier === undefined
      ? {}
      : { 'patient:identifier': filter.patientIdentifier }),
  };
  const patients = filter.patient ?? [];
  const answer = await http.api.POST('/fhir/AuditEvent/$export', {
    params: {
      header: { Prefer: 'respond-async' },
      // Why the cast: the generated type takes one `patient`; openapi-fetch repeats an array's.
      query: {
        ...query,
        ...(patients.length === 0 ? {} : { patient: patients as unknown as string }),
      },
    },
  });
  const location = answer.response.headers.get('content-location');
  if (answer.response.status !== 202) throw failureOf(answer.response.status, answer.error);
  if (location === null) {
    throw new EnlaceProtocolError('the export was accepted without a Content-Location', 202);
  }
  return lastSegment(location);
}

async function awaitCompletion(
  http: GatewayHttp,
  id: string,
  options: AuditExportOptions,
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let wait = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const status = await http.api.GET('/audit/exports/{id}', { params: { path: { id } } });
    if (status.response.status === 200) return;
    if (status.response.status !== 202) throw failureOf(status.response.status, status.error);
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new EnlaceProtocolError(`the export ${id} did not complete in time`, 202);
    }
    const ceiling = retryAfterMs(status.response) ?? DEFAULT_MAX_POLL_MS;
    await new Promise((done) => setTimeout(done, Math.min(wait, ceiling, remaining)));
    wait = Math.min(wait * 2, ceiling);
  }
}

async function download(http: GatewayHttp, id: string, name: string): Promise<Readable> {
  const file = await http.api.GET('/audit/exports/{id}/files/{name}', {
    params: { path: { id, name } },
    parseAs: 'stream',
  });
  if (file.response.status !== 200) throw failureOf(file.response.status, file.error);
  // Why an empty stream: openapi-fetch gives no body for `Content-Length: 0` (an empty consistency file).
  return file.data === undefined || file.data === null
    ? Readable.from([])
    : Readable.fromWeb(file.data);
}

/** Streams what `fetchSource` gives into a new file (0600); a partly written file is removed. */
async function writeNew(path: string, fetchSource: () => Promise<Readable>): Promise<void> {
  // Why O_EXCL, and before the download: never overwrite what is there, nor follow a symlink.
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await pipeline(await fetchSource(), handle.createWriteStream());
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readManifest(
  source: Readable,
): Promise<{ bytes: Buffer; manifest: ExportManifest }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_MANIFEST_BYTES) {
      source.destroy();
      throw new EnlaceProtocolError(
        `the export's manifest is larger than ${MAX_MANIFEST_BYTES} bytes`,
      );
    }
    chunks.push(bytes);
  }
  const bytes = Buffer.concat(chunks);
  try {
    return { bytes, manifest: toExportManifest(JSON.parse(bytes.toString('utf8'))) };
  } catch (cause) {
    throw new EnlaceProtocolError("the export's manifest is not an audit export manifest", 200, {
      cause,
    });
  }
}

/**
 * Exports the log (whole, or filtered) and downloads it into `options.into`, as `enlace audit
 * verify` reads it. The manifest is written last, so its presence means the directory is whole.
 */
export async function exportAuditLog(
  http: GatewayHttp,
  options: AuditExportOptions,
): Promise<AuditExport> {
  const id = await kickOff(http, options);
  await awaitCompletion(http, id, options);
  const { bytes, manifest } = await readManifest(await download(http, id, EXPORT_FILES.manifest));
  const names = filesNamed(manifest);
  const directory = resolve(options.into);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const total = names.length + 1;
  const files: string[] = [];
  options.onProgress?.(0, total);
  try {
    for (const name of names) {
      const path = join(directory, name);
      await writeNew(path, () => download(http, id, name));
      files.push(path);
      options.onProgress?.(files.length, total);
    }
    const manifestPath = join(directory, EXPORT_FILES.manifest);
    await writeNew(manifestPath, () => Promise.resolve(Readable.from([bytes])));
    files.push(manifestPath);
  } catch (error) {
    // Why: a directory without all its files must not look like a whole export, nor a part of one.
    await Promise.all(files.map((file) => unlink(file).catch(() => undefined)));
    throw error;
  }
  options.onProgress?.(files.length, total);
  const entries = manifest.output.reduce((sum, output) => sum + output.count, 0);
  return { id, manifest, directory, files, entries };
}
