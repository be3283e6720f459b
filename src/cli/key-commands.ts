// `enlace keys list|rotate`: the gateway's own signing and encryption keys, and their rotation with a published overlap (`keys generate`, for partners, is in credential-commands.ts).
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Command } from 'commander';
import { auditSubtype, auditType, buildAuditEvent, commandLineActor } from '../audit/index.js';
import {
  DEFAULT_ROTATION_LEAD_SECONDS,
  DEFAULT_ROTATION_OVERLAP_SECONDS,
  MIN_ROTATION_LEAD_SECONDS,
  MIN_ROTATION_OVERLAP_SECONDS,
  rotateGatewayKeys,
  type KeyUse,
  type RotatedKey,
} from '../crypto/index.js';
import { GatewayError } from '../kernel/index.js';
import { printJson } from './io.js';
import type { RunWithContext } from './partner-commands.js';

/** Identifier system of the gateway's key ids (JWK thumbprints) in AuditEvents. */
export const GATEWAY_KEY_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/gateway-key-id';

const USES: Readonly<Record<string, readonly KeyUse[]>> = {
  sig: ['sig'],
  enc: ['enc'],
  all: ['sig', 'enc'],
};

export function addKeyCommands(program: Command, run: RunWithContext): void {
  const keys = program
    .command('keys')
    .description(
      "the gateway's own signing and encryption keys (list, rotate; published at /.well-known/jwks.json), and a partner's new ones (generate)",
    );

  keys
    .command('list')
    .description('every published key: in use, next (published ahead of use) or previous (overlap)')
    .action(() =>
      run(({ capabilities }) => {
        printJson(
          capabilities.keys.published.map(({ key, state, activatesAt, retiresAt }) => ({
            kid: key.kid,
            use: key.use,
            alg: key.alg,
            ...(key.publicJwk.crv === undefined ? {} : { crv: key.publicJwk.crv }),
            state,
            ...(activatesAt === undefined ? {} : { activatesAt: activatesAt.toISOString() }),
            ...(retiresAt === undefined ? {} : { retiresAt: retiresAt.toISOString() }),
          })),
        );
        return Promise.resolve();
      }),
    );

  keys
    .command('rotate')
    .description(
      'publish a new key now, use it after the lead, and keep the old one published for the overlap',
    )
    .option('--use <use>', 'sig (the signing key), enc (the encryption keys) or all', 'all')
    .option(
      '--lead-seconds <seconds>',
      `how long the new key is published before it is used (at least ${String(MIN_ROTATION_LEAD_SECONDS)})`,
      String(DEFAULT_ROTATION_LEAD_SECONDS),
    )
    .option(
      '--overlap-seconds <seconds>',
      `how long the old key stays published after the switch (at least ${String(MIN_ROTATION_OVERLAP_SECONDS)})`,
      String(DEFAULT_ROTATION_OVERLAP_SECONDS),
    )
    .action((options: { use: string; leadSeconds: string; overlapSeconds: string }) =>
      run(async ({ config, store, clock }) => {
        const uses = USES[options.use];
        if (uses === undefined) {
          throw new GatewayError('ENLACE_INVALID_PARAMETER', '--use must be sig, enc or all.');
        }
        const now = clock();
        let rotated: RotatedKey[];
        try {
          rotated = await rotateGatewayKeys(config.dataDir, {
            uses,
            now,
            leadSeconds: Number(options.leadSeconds),
            overlapSeconds: Number(options.overlapSeconds),
          });
        } catch (err) {
          throw new GatewayError('ENLACE_INVALID_PARAMETER', (err as Error).message, {
            cause: err,
          });
        }
        await store.audit.append(buildKeyRotationAudit(rotated, now));
        printJson(
          rotated.map((key) => ({
            use: key.use,
            file: key.file,
            previousKid: key.previousKid,
            nextKid: key.nextKid,
            publishedFrom: now.toISOString(),
            usedFrom: key.activatesAt.toISOString(),
            previousRetiresAt: key.previousRetiresAt.toISOString(),
          })),
        );
      }),
    );
}

/** A security configuration change: which keys come, when they are used, when the old ones go. */
function buildKeyRotationAudit(rotated: readonly RotatedKey[], recorded: Date): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.securityConfiguration,
    action: 'U',
    outcome: '0',
    recorded,
    agents: [commandLineActor()],
    entities: rotated.flatMap((key) => [
      {
        identifier: { system: GATEWAY_KEY_ID_SYSTEM, value: key.nextKid },
        description: `gateway ${key.use} key published, used from ${key.activatesAt.toISOString()}`,
      },
      {
        identifier: { system: GATEWAY_KEY_ID_SYSTEM, value: key.previousKid },
        description: `gateway ${key.use} key replaced, retires at ${key.previousRetiresAt.toISOString()}`,
      },
    ]),
  });
}
