// Routes of the auditors' asynchronous export (FHIR Bulk Data): kick-off, status, files, cancel — each audited.
import { randomUUID } from 'node:crypto';
import { auditedRead, auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import {
  deleteExportJob,
  deleteExportFiles,
  readExportFile,
  findExportJob,
  insertExportJob,
  listExpiredExports,
  runExport,
  type ExportFilter,
  type ExportJob,
} from '../audit/export/index.js';
import { EXPORT_FILES } from '../audit/export-format/index.js';
import { buildOperationOutcome } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import { readExportFilter } from './read-export-filter.js';
import { auditorAccess, auditorOf } from './auditor-access.js';
import type { RequestContext, Route, RouteResponse } from './route.js';
import type { AppServices } from './services.js';

export type AuditExportRouteDeps = Pick<
  AppServices,
  'store' | 'clock' | 'config' | 'ledger' | 'logger' | 'consent'
>;

/** A running job that has not moved for this long was left by a process that stopped. */
const STALLED_MS = 10 * 60_000;
const FILE_TYPES: Readonly<Record<string, string>> = {
  [EXPORT_FILES.manifest]: 'application/json',
  [EXPORT_FILES.entries]: 'application/fhir+ndjson',
  [EXPORT_FILES.checkpoint]: 'text/plain; charset=utf-8',
  [EXPORT_FILES.proofs]: 'application/x-ndjson',
  [EXPORT_FILES.consistency]: 'application/x-ndjson',
  [EXPORT_FILES.leafHashes]: 'application/octet-stream',
};

const notFound = (id: string) =>
  new GatewayError(
    'ENLACE_RESOURCE_NOT_FOUND',
    `No export ${id.slice(0, 64)} exists (it may have expired).`,
  );

const filesOf = (deps: AuditExportRouteDeps) => ({
  db: deps.store.db,
  dialect: deps.store.dialect,
  dataDir: deps.config.dataDir,
});

/** Deletes expired exports (rows and files); run on every call, so no timer is needed. */
async function sweep(deps: AuditExportRouteDeps): Promise<void> {
  for (const id of await listExpiredExports(deps.store.db, deps.clock())) {
    await deleteExportFiles(filesOf(deps), id);
    await deleteExportJob(deps.store.db, id);
  }
}

function statusResponse(
  deps: AuditExportRouteDeps,
  job: ExportJob,
  ctx: RequestContext,
): RouteResponse {
  const base = `${deps.config.publicUrl}/audit/exports/${job.id}/files`;
  const stalled =
    Date.parse(job.createdAt) + STALLED_MS < deps.clock().getTime() && job.status !== 'completed';
  if (job.status === 'failed' || (stalled && job.status !== 'cancelled')) {
    return {
      status: 500,
      contentType: 'application/fhir+json',
      body: buildOperationOutcome(
        [
          {
            code: 'exception',
            errorCode: 'ENLACE_AUDIT_EXPORT_FAILED',
            text: job.error ?? 'The export stopped before it was complete; request it again.',
          },
        ],
        ctx.requestId,
      ),
    };
  }
  if (job.status !== 'completed' || job.manifest === undefined) {
    return {
      status: 202,
      headers: {
        'Retry-After': '2',
        'X-Progress': job.total === undefined ? 'preparing' : `${job.done} of ${job.total} entries`,
      },
      body: buildOperationOutcome(
        [
          {
            severity: 'information',
            code: 'informational',
            text: 'The export is running.',
          },
        ],
        ctx.requestId,
      ),
    };
  }
  const manifest = JSON.parse(job.manifest) as { output: { url: string }[] };
  return {
    status: 200,
    contentType: 'application/json',
    headers: { Expires: new Date(job.expiresAt).toUTCString() },
    body: {
      ...manifest,
      output: manifest.output.map((output) => ({ ...output, url: `${base}/${output.url}` })),
      // Every file of the export, to download into one directory for `enlace audit verify`.
      link: Object.keys(FILE_TYPES).map((name) => ({ relation: 'item', url: `${base}/${name}` })),
    },
  };
}

/**
 * The kick-off as it is recorded and put in the manifest: rebuilt from the filter, so her
 * identifier (given as patient:identifier) appears only as the pseudonyms it was turned into.
 */
function exportRequest(publicUrl: string, filter: ExportFilter): string {
  const query = new URLSearchParams();
  if (filter.since !== undefined) query.set('_since', filter.since);
  if (filter.until !== undefined) query.set('_until', filter.until);
  for (const pseudonym of filter.pseudonyms ?? []) query.append('patient', pseudonym);
  const text = query.toString();
  return `${publicUrl}/fhir/AuditEvent/$export${text === '' ? '' : `?${text}`}`;
}

export function auditExportRoutes(deps: AuditExportRouteDeps): Route[] {
  const read = (ctx: RequestContext, description: string) => ({
    interaction: 'read' as const,
    actor: auditorOf(ctx).actor,
    description,
    requestId: ctx.requestId,
    clock: deps.clock,
  });
  const existing = async (id: string): Promise<ExportJob> => {
    await sweep(deps);
    const job = await findExportJob(deps.store.db, id);
    if (job === undefined) throw notFound(id);
    return job;
  };
  return [
    {
      method: 'POST',
      path: '/fhir/AuditEvent/$export',
      operationId: 'exportAuditEvents',
      access: auditorAccess('system/AuditEvent.r'),
      fhir: {
        kind: 'operation',
        name: 'export',
        definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
        resource: 'AuditEvent',
      },
      handler: async (ctx) => {
        const { name: auditorName, actor } = auditorOf(ctx);
        const prefer = ctx.headers.prefer;
        if (typeof prefer !== 'string' || !/(^|[,;\s])respond-async($|[,;\s])/.test(prefer)) {
          throw new GatewayError(
            'ENLACE_INVALID_PARAMETER',
            'An export runs asynchronously: send Prefer: respond-async.',
            {
              expression: ['Prefer'],
            },
          );
        }
        const filter = readExportFilter(ctx.query, deps.consent.pseudonymizer);
        await sweep(deps);
        const id = randomUUID();
        const now = deps.clock();
        await deps.store.transaction(async (unit) => {
          await insertExportJob(unit.db, {
            id,
            requestedBy: auditorName,
            request: exportRequest(deps.config.publicUrl, filter),
            filter,
            createdAt: now.toISOString(),
            expiresAt: new Date(
              now.getTime() + deps.config.exportRetentionHours * 3_600_000,
            ).toISOString(),
          });
          await unit.audit.append(
            buildAuditEvent({
              type: auditType.rest,
              subtype: auditSubtype.operation,
              action: 'E',
              outcome: '0',
              outcomeDesc: 'AuditEvent $export requested',
              recorded: now,
              agents: [actor],
              entities: [
                {
                  description: `export ${id}; since ${filter.since ?? '-'}, until ${filter.until ?? '-'}, ${filter.pseudonyms === undefined ? 'every survivor' : 'one survivor'}`,
                },
                ...(filter.pseudonyms ?? []).slice(0, 1).map((pseudonym) => ({
                  identifier: {
                    system: 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym',
                    value: pseudonym,
                  },
                })),
              ],
              requestId: ctx.requestId,
            }),
          );
        });
        // Runs in this process; its progress and outcome live in the job row any instance reads.
        void runExport(
          {
            store: deps.store,
            ledger: deps.ledger,
            dataDir: deps.config.dataDir,
            clock: deps.clock,
            logger: deps.logger,
          },
          id,
        );
        return {
          status: 202,
          headers: { 'Content-Location': `${deps.config.publicUrl}/audit/exports/${id}` },
          body: buildOperationOutcome(
            [
              {
                severity: 'information',
                code: 'informational',
                text: 'The export was accepted; poll Content-Location.',
              },
            ],
            ctx.requestId,
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/audit/exports/:id',
      operationId: 'getAuditExportStatus',
      access: auditorAccess('system/AuditEvent.r'),
      produces: ['application/json', 'application/fhir+json'],
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const job = await auditedRead(
          deps.store,
          read(ctx, `status of export ${id.slice(0, 64)}`),
          () => existing(id),
        );
        return statusResponse(deps, job, ctx);
      },
    },
    {
      method: 'GET',
      path: '/audit/exports/:id/files/:name',
      operationId: 'getAuditExportFile',
      access: auditorAccess('system/AuditEvent.r'),
      produces: ['*/*'],
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const name = ctx.params.name ?? '';
        const type = Object.hasOwn(FILE_TYPES, name) ? FILE_TYPES[name] : undefined;
        return auditedRead(
          deps.store,
          read(ctx, `file ${name.slice(0, 64)} of export ${id.slice(0, 64)}`),
          async () => {
            const job = await existing(id);
            if (job.status !== 'completed' || type === undefined) throw notFound(`${id}/${name}`);
            const file = await readExportFile(filesOf(deps), id, name);
            if (file === undefined) throw notFound(`${id}/${name}`);
            return {
              body: file.stream,
              contentType: type,
              headers: { 'Content-Length': String(file.size), 'Cache-Control': 'no-store' },
            };
          },
        );
      },
    },
    {
      method: 'DELETE',
      path: '/audit/exports/:id',
      operationId: 'cancelAuditExport',
      access: auditorAccess('system/AuditEvent.r'),
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        await auditedRead(
          deps.store,
          read(ctx, `cancel or delete export ${id.slice(0, 64)}`),
          async () => {
            await existing(id);
            // Deleting the row stops a running job at its next batch; its files go with it.
            await deleteExportJob(deps.store.db, id);
            await deleteExportFiles(filesOf(deps), id);
          },
        );
        return {
          status: 202,
          body: buildOperationOutcome(
            [
              {
                severity: 'information',
                code: 'informational',
                text: 'The export was cancelled and its files deleted.',
              },
            ],
            ctx.requestId,
          ),
        };
      },
    },
  ];
}
