// The $process-message route: thin glue from HTTP to the referral submission pipeline.
import { parse as parseContentType } from 'content-type';
import {
  describeMessaging,
  FHIR_JSON_MEDIA_TYPE,
  JOSE_MEDIA_TYPE,
  messageHandlers,
  processMessage,
  PROCESS_MESSAGE_DEFINITION,
  type MessageHandlers,
  type SubmissionDeps,
  type SubmissionMediaType,
} from '../referrals/index.js';
import { JSON_TYPE } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import type { RequestContext, Route } from './route.js';
import type { AppServices } from './services.js';

export type SubmissionRouteDeps = Pick<
  AppServices,
  'store' | 'clock' | 'config' | 'keys' | 'vault' | 'profiles' | 'pki' | 'policy' | 'consent'
>;

export function toSubmissionDeps(services: SubmissionRouteDeps): SubmissionDeps {
  return {
    store: services.store,
    clock: services.clock,
    keys: services.keys,
    vault: services.vault,
    profiles: services.profiles,
    pki: services.pki,
    policy: services.policy,
    consent: services.consent,
    limits: { maxBytes: services.config.bodyLimitBytes, maxDepth: services.config.jsonMaxDepth },
    allowPlainSubmissions: services.config.allowPlainSubmissions,
    clockSkewSeconds: services.config.clockSkewSeconds,
    publicUrl: services.config.publicUrl,
  };
}

/**
 * The route layer already accepted only these types; this just names which one came. Plain
 * `application/json` is read as FHIR JSON, as on every other FHIR route (the API's conventions).
 */
function mediaTypeOf(ctx: RequestContext): SubmissionMediaType {
  const header = ctx.headers['content-type'];
  const type = typeof header === 'string' ? parseContentType(header).type : '';
  return type === JOSE_MEDIA_TYPE ? JOSE_MEDIA_TYPE : FHIR_JSON_MEDIA_TYPE;
}

export function submissionRoutes(
  services: SubmissionRouteDeps,
  handlers: MessageHandlers = messageHandlers,
): Route[] {
  const deps = toSubmissionDeps(services);
  return [
    {
      method: 'POST',
      path: '/fhir/$process-message',
      operationId: 'processMessage',
      access: { kind: 'partner', scope: 'system/Bundle.c' },
      consumes: [JOSE_MEDIA_TYPE, FHIR_JSON_MEDIA_TYPE, JSON_TYPE],
      fhir: {
        kind: 'operation',
        name: 'process-message',
        definition: PROCESS_MESSAGE_DEFINITION,
        // From the handler table this route runs, so the statement lists exactly what it takes.
        messaging: describeMessaging(handlers),
      },
      handler: async (ctx) => {
        if (ctx.principal?.kind !== 'partner') {
          throw new GatewayError('ENLACE_INTERNAL', '$process-message reached without a partner');
        }
        const outcome = await processMessage(
          {
            mediaType: mediaTypeOf(ctx),
            body: ctx.body,
            caller: ctx.principal,
            requestId: ctx.requestId,
          },
          deps,
          handlers,
        );
        // FHIR messaging: $process-message answers 200 with the response message, first time and on replay.
        return { status: 200, body: outcome.acknowledgement };
      },
    },
  ];
}
