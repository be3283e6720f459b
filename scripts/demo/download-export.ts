// The oversight body's side of an audit export, over the SDK's typed client: kick off, poll, download every file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { EnlaceError, EnlaceProtocolError, type EnlaceClient } from '../../src/sdk/index.js';

const POLL_MS = 200;

/** The SDK's typed exception for a refused answer (an OperationOutcome), else a protocol fault. */
function refused(status: number, body: unknown): Error {
  const outcome = body as Partial<OperationOutcome> | undefined;
  return outcome?.resourceType === 'OperationOutcome' && Array.isArray(outcome.issue)
    ? new EnlaceError(status, outcome as OperationOutcome)
    : new EnlaceProtocolError(`the gateway answered ${status}`, status);
}

interface Manifest {
  readonly output: readonly { readonly url: string; readonly count?: number }[];
  readonly link: readonly { readonly url: string }[];
  readonly extension?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const AUDIT_EXPORT_EXTENSION = 'https://enlace.example.org/fhir/StructureDefinition/audit-export';
const lastSegment = (url: string) =>
  decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');

/** The files this export holds: the manifest, its outputs and those its extension names. */
function filesOf(manifest: Manifest): Set<string> {
  const named = Object.entries(manifest.extension?.[AUDIT_EXPORT_EXTENSION] ?? {})
    .filter(([key]) => key !== 'origin')
    .map(([, value]) => value)
    .filter((value): value is string => typeof value === 'string');
  return new Set(['manifest.json', ...manifest.output.map((o) => lastSegment(o.url)), ...named]);
}

/** Exports the whole log into `into` (created), as `enlace audit verify` reads it; returns the entry count. */
export async function downloadAuditExport(
  client: EnlaceClient,
  into: string,
  timeoutMs: number,
): Promise<{ entries: number; files: string[] }> {
  const kickOff = await client.api.POST('/fhir/AuditEvent/$export', {
    params: { header: { Prefer: 'respond-async' } },
  });
  const location = kickOff.response.headers.get('content-location');
  if (kickOff.response.status !== 202 || location === null) {
    throw refused(kickOff.response.status, kickOff.error);
  }
  const id = lastSegment(location);
  const deadline = Date.now() + timeoutMs;
  let manifest: Manifest | undefined;
  while (manifest === undefined) {
    const status = await client.api.GET('/audit/exports/{id}', { params: { path: { id } } });
    if (status.response.status === 200) manifest = status.data as unknown as Manifest;
    else if (status.response.status !== 202) throw refused(status.response.status, status.error);
    else if (Date.now() > deadline) throw new Error(`the export did not finish in ${timeoutMs} ms`);
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await mkdir(into, { recursive: true });
  const files: string[] = [];
  const held = filesOf(manifest);
  for (const link of manifest.link) {
    const name = lastSegment(link.url);
    // The links list every file an export may have; a complete one has no proofs, for instance.
    if (!held.has(name)) continue;
    const file = await client.api.GET('/audit/exports/{id}/files/{name}', {
      params: { path: { id, name } },
      parseAs: 'arrayBuffer',
    });
    if (file.response.status !== 200 || file.data === undefined) {
      throw refused(file.response.status, file.error);
    }
    await writeFile(join(into, name), new Uint8Array(file.data));
    files.push(name);
  }
  const entries = manifest.output.reduce((sum, output) => sum + (output.count ?? 0), 0);
  return { entries, files };
}
