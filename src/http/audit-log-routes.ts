// Routes of the transparency log: its key, signed checkpoints with cosignatures, and Merkle proofs.
import { auditedRead, auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import {
  acceptCosignature,
  latestCheckpoint,
  listCheckpoints,
  listCosignatures,
  withCosignatures,
} from '../audit/ledger/index.js';
import {
  proveConsistency,
  proveInclusion,
  readCount,
  requireCount,
} from '../audit/proofs/index.js';
import { GatewayError } from '../kernel/index.js';
import { auditorAccess, auditorOf } from './auditor-access.js';
import type { Route } from './route.js';
import type { AppServices } from './services.js';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const MAX_CHECKPOINT_PAGE = 100;

export type AuditLogRouteDeps = Pick<AppServices, 'store' | 'clock' | 'ledger'>;

/** A checkpoint as the history lists it: the note with its cosignatures, and the decoded fields. */
async function checkpointView(
  deps: AuditLogRouteDeps,
  size: number,
  root: Uint8Array,
  note: string,
  createdAt: string,
) {
  const cosignatures = await listCosignatures(deps.store.db, size);
  return {
    size,
    rootHash: Buffer.from(root).toString('base64'),
    createdAt,
    note: withCosignatures({ size, root, note, createdAt }, cosignatures),
    cosignatures: cosignatures.map((cosignature) => ({
      witness: cosignature.witness,
      timestamp: cosignature.cosignedAt,
    })),
  };
}

function leafHashParameter(query: URLSearchParams): Uint8Array | undefined {
  const text = query.get('leaf_hash');
  if (text === null) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== text) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'leaf_hash must be 32 octets in standard base64.',
      {
        expression: ['leaf_hash'],
      },
    );
  }
  return new Uint8Array(bytes);
}

export function auditLogRoutes(deps: AuditLogRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/audit/log-key',
      operationId: 'getAuditLogKey',
      produces: ['text/plain'],
      handler: () => ({ body: `${deps.ledger.logKey.verifierKey}\n`, contentType: TEXT }),
    },
    {
      method: 'GET',
      path: '/audit/checkpoint',
      operationId: 'getAuditCheckpoint',
      produces: ['text/plain'],
      handler: async () => {
        const latest = await latestCheckpoint(deps.store.db);
        if (latest === undefined) {
          throw new GatewayError(
            'ENLACE_AUDIT_CHECKPOINT_NOT_FOUND',
            'The log has no signed checkpoint yet.',
          );
        }
        const cosignatures = await listCosignatures(deps.store.db, latest.size);
        return {
          body: withCosignatures(latest, cosignatures),
          contentType: TEXT,
          headers: { 'Cache-Control': 'no-cache' },
        };
      },
    },
    {
      method: 'GET',
      path: '/audit/checkpoints',
      operationId: 'listAuditCheckpoints',
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        const before = readCount(ctx.query, 'before');
        const limit = readCount(ctx.query, '_count') ?? 20;
        if (limit < 1 || limit > MAX_CHECKPOINT_PAGE) {
          throw new GatewayError(
            'ENLACE_INVALID_PARAMETER',
            `_count must be from 1 to ${MAX_CHECKPOINT_PAGE}.`,
            {
              expression: ['_count'],
            },
          );
        }
        const page = await listCheckpoints(deps.store.db, {
          ...(before === undefined ? {} : { beforeSize: before }),
          limit: limit + 1,
        });
        const shown = page.slice(0, limit);
        const views = [];
        for (const checkpoint of shown) {
          views.push(
            await checkpointView(
              deps,
              checkpoint.size,
              checkpoint.root,
              checkpoint.note,
              checkpoint.createdAt,
            ),
          );
        }
        const last = shown.at(-1);
        return {
          body: {
            checkpoints: views,
            ...(page.length > limit && last !== undefined
              ? { next: `/audit/checkpoints?before=${last.size}&_count=${limit}` }
              : {}),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/audit/proof/consistency',
      operationId: 'getAuditConsistencyProof',
      produces: [JSON_TYPE],
      handler: async (ctx) => ({
        body: await proveConsistency(
          deps.store.db,
          requireCount(ctx.query, 'from'),
          requireCount(ctx.query, 'to'),
        ),
      }),
    },
    {
      method: 'GET',
      path: '/audit/proof/inclusion',
      operationId: 'getAuditInclusionProof',
      access: auditorAccess('system/AuditEvent.r'),
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        const index = readCount(ctx.query, 'index');
        const leafHash = leafHashParameter(ctx.query);
        const treeSize = requireCount(ctx.query, 'size');
        const what =
          index === undefined
            ? `inclusion proof by leaf hash in tree size ${treeSize}`
            : `inclusion proof of leaf ${index} in tree size ${treeSize}`;
        const record = {
          interaction: 'read',
          actor: auditorOf(ctx).actor,
          description: what,
          requestId: ctx.requestId,
          clock: deps.clock,
        } as const;
        return {
          // The auditor's own reads are evidence too: who asked for which proof.
          body: await auditedRead(deps.store, record, () =>
            proveInclusion(deps.store.db, {
              treeSize,
              ...(index === undefined ? {} : { index }),
              ...(leafHash === undefined ? {} : { leafHash }),
            }),
          ),
        };
      },
    },
    {
      method: 'POST',
      path: '/audit/checkpoints/:size/cosignatures',
      operationId: 'addAuditCosignature',
      consumes: [JSON_TYPE],
      produces: ['text/plain'],
      handler: async (ctx) => {
        const size = requireCount(new URLSearchParams({ size: ctx.params.size ?? '' }), 'size');
        const line = (ctx.body as { cosignature?: unknown } | null)?.cosignature;
        if (typeof line !== 'string') {
          throw new GatewayError(
            'ENLACE_INVALID_PARAMETER',
            'The body must be {"cosignature": "<signature line>"}.',
            {
              expression: ['cosignature'],
            },
          );
        }
        const note = await deps.store.transaction(async (unit) => {
          const { note: cosigned, witness } = await acceptCosignature(
            unit.db,
            size,
            line,
            deps.clock(),
          );
          await unit.audit.append(
            buildAuditEvent({
              type: auditType.applicationActivity,
              subtype: auditSubtype.securityConfiguration,
              action: 'C',
              outcome: '0',
              outcomeDesc: `checkpoint ${size} cosigned`,
              recorded: deps.clock(),
              agents: [{ display: `witness ${witness}` }],
              entities: [{ description: `audit checkpoint of size ${size}` }],
              requestId: ctx.requestId,
            }),
          );
          return cosigned;
        });
        return { status: 201, body: note, contentType: TEXT };
      },
    },
  ];
}
