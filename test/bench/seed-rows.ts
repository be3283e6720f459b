// Fills a stopped gateway's database to size through its own write path: the referral-request handler, in batches.
//
// Each seeded referral is a signed message taken through the gateway's referral-request handler
// exactly as $process-message hands it over after decryption, validation and signature checks:
// the acknowledgement is signed, the message and Task sealed, consent decided and disclosed, the
// outbox entry and the AuditEvent appended. The only difference from a submission is that a
// batch of them shares one transaction, so a million rows take minutes instead of hours of fsync.
import { performance } from 'node:perf_hooks';
import { loadCapabilities } from '../../src/capabilities.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock, type PartnerPrincipal } from '../../src/kernel/index.js';
import { findPartner } from '../../src/partners/index.js';
import { checkMessageShape } from '../../src/referrals/submission/check-message-shape.js';
import {
  messageHandlers,
  type AcceptedMessage,
  type SubmissionDeps,
} from '../../src/referrals/submission/index.js';
import { openStore, type Store, type UnitOfWork } from '../../src/store/index.js';
import { fillLedger } from './ledger.bench.js';
import { buildSignedReferral, type MessageSigner } from './referral-messages.js';

const BATCH = 250;
/** Case narrative of each seeded referral, in bytes. */
const SEED_PAYLOAD = 2048;

export interface SeedPlan {
  /** ENLACE_* variables of the gateway whose database this is (data directory, database URL). */
  readonly env: Readonly<Record<string, string>>;
  readonly referrals: number;
  readonly auditEntries: number;
  readonly signer: MessageSigner;
  readonly sender: { readonly id: string; readonly clientId: string };
  readonly recipient: string;
  readonly survivors: readonly string[];
  readonly onProgress: (what: string) => void;
}

export interface SeedReport {
  readonly referrals: number;
  readonly ledgerEntries: number;
  readonly seconds: number;
}

/** The store as one transaction's unit sees it: every call of the handler joins the batch. */
function withinUnit(store: Store, unit: UnitOfWork): Store {
  return {
    dialect: store.dialect,
    db: unit.db,
    audit: unit.audit,
    kv: unit.kv,
    transaction: (work) => work(unit),
    checkReady: () => store.checkReady(),
    poolStats: () => store.poolStats(),
    close: () => Promise.resolve(),
  };
}

export async function seedAtSize(plan: SeedPlan): Promise<SeedReport> {
  const { config } = loadConfig({ ENLACE_PROFILE: 'production', ...plan.env });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const started = performance.now();
  try {
    const capabilities = await loadCapabilities(config, store, systemClock);
    const sender = await findPartner(store.db, plan.sender.id);
    const recipient = await findPartner(store.db, plan.recipient);
    const handle = messageHandlers['referral-request'];
    if (sender === undefined || recipient === undefined || handle === undefined) {
      throw new Error('the bench partners are not registered');
    }
    const caller: PartnerPrincipal = {
      kind: 'partner',
      clientId: plan.sender.clientId,
      partnerId: sender.id,
      role: sender.role,
      scopes: ['system/Bundle.cr'],
      tokenId: 'bench-seed',
    };
    const deps: SubmissionDeps = {
      store,
      clock: systemClock,
      keys: capabilities.keys,
      vault: capabilities.vault,
      profiles: capabilities.profiles,
      pki: capabilities.pki,
      policy: capabilities.policy,
      consent: capabilities.consent,
      limits: { maxBytes: config.bodyLimitBytes, maxDepth: config.jsonMaxDepth },
      allowPlainSubmissions: false,
      clockSkewSeconds: config.clockSkewSeconds,
      publicUrl: config.publicUrl,
    };
    const sign = (from: number, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          buildSignedReferral(
            plan.signer,
            recipient.id,
            plan.survivors[(from + i) % plan.survivors.length] ?? '',
            SEED_PAYLOAD,
          ),
        ),
      );
    let done = 0;
    // The next batch is signed while this one is written.
    let signing = sign(0, Math.min(BATCH, plan.referrals));
    while (done < plan.referrals) {
      const bundles = await signing;
      const after = done + bundles.length;
      if (after < plan.referrals) signing = sign(after, Math.min(BATCH, plan.referrals - after));
      await store.transaction(async (unit) => {
        const joined = { ...deps, store: withinUnit(store, unit) };
        for (const bundle of bundles) {
          const accepted: AcceptedMessage = {
            message: checkMessageShape(bundle),
            sender: { partner: sender, key: { partnerId: sender.id }, signedAt: new Date() },
            route: { event: 'referral-request', recipient },
            caller,
            requestId: `seed-${done}`,
          };
          await handle(accepted, joined);
        }
      });
      done = after;
      if (done % 10_000 < BATCH || done === plan.referrals) {
        const rate = done / ((performance.now() - started) / 1000);
        plan.onProgress(`seeded ${done} of ${plan.referrals} referrals (${Math.round(rate)}/s)`);
      }
    }
    const ledgerEntries = await fillLedger(store, plan.auditEntries, (size) => {
      plan.onProgress(`audit log at ${size} entries`);
    });
    // As the gateway does at shutdown: a signed checkpoint covers every entry, so proofs and
    // exports can be asked against the full size at once.
    await capabilities.ledger.checkpoint();
    return {
      referrals: done,
      ledgerEntries,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await store.close();
  }
}
