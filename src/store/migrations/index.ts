// Enlace's migrations in the order they apply; append new ones, never edit or reorder released ones.
import { foundation } from './0001-foundation.js';
import { pki } from './0002-pki.js';
import { partners } from './0003-partners.js';
import { people } from './0005-people.js';
import { consent } from './0006-consent.js';
import { emergency } from './0007-emergency.js';
import { referrals } from './0008-referrals.js';
import { auditLedger } from './0009-audit-ledger.js';
import { auditExports } from './0010-audit-exports.js';
import { partnerKeys } from './0011-partner-keys.js';
import { deliveryOrder } from './0012-delivery-order.js';
import { referralHeaderId } from './0013-referral-header-id.js';
import { fhirVersions } from './0014-fhir-versions.js';
import { personSessions } from './0015-person-sessions.js';
import { taskSearchIndexes } from './0016-task-search-indexes.js';
import { rateLimitCounters } from './0017-rate-limit-counters.js';
import { auditCounterForwardOnly } from './0018-audit-counter-forward-only.js';
import type { StoreMigration } from './store-migration.js';

export type { StoreMigration } from './store-migration.js';

export const enlaceMigrations: readonly StoreMigration[] = [
  foundation,
  pki,
  partners,
  people,
  consent,
  emergency,
  referrals,
  auditLedger,
  auditExports,
  partnerKeys,
  deliveryOrder,
  referralHeaderId,
  fhirVersions,
  personSessions,
  taskSearchIndexes,
  rateLimitCounters,
  auditCounterForwardOnly,
];
