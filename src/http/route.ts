// The route table's types: each route is a method, a path, an OpenAPI operationId and a thin handler.
import type { FhirCapability } from '../fhir/index.js';
import type { AccessRequirement, PresentedCertificate, Principal } from '../kernel/index.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The request as a handler sees it: parsed, bounded and identified; no express types leak in. */
export interface RequestContext {
  readonly requestId: string;
  readonly method: HttpMethod;
  readonly params: Readonly<Record<string, string>>;
  /** Query string parameters, repeated names preserved. */
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The strictly parsed JSON body, form parameters, or undefined for routes that take none. */
  readonly body: unknown;
  /** The authenticated caller; present on every route that declares `access`. */
  readonly principal: Principal | undefined;
  /** The media type the response will be sent as, chosen by content negotiation. */
  readonly responseType: string;
  /** The client certificate of the request's TLS connection (mutual TLS), when it presented one. */
  readonly clientCertificate?: PresentedCertificate;
}

export interface RouteResponse {
  readonly status?: number;
  /** A JSON value (serialised as the negotiated type), or raw bytes, text or a stream sent as `contentType`. */
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RequestContext) => Promise<RouteResponse> | RouteResponse;

export interface Route {
  readonly method: HttpMethod;
  /** Express-style path: `/fhir/Task/:id`. The OpenAPI document spells it `/fhir/Task/{id}`. */
  readonly path: string;
  /** Must equal the operationId of the same operation in openapi/enlace.yaml. */
  readonly operationId: string;
  /** Media types the route accepts in a request body; absent for routes without a body. */
  readonly consumes?: readonly string[];
  /** Media types the route can answer with; defaults to FHIR JSON. */
  readonly produces?: readonly string[];
  /** Who may call it; absent means public (discovery, health, keys). */
  readonly access?: AccessRequirement;
  /** `oauth` renders refusals as RFC 6749 error JSON instead of an OperationOutcome. */
  readonly errorFormat?: 'oauth';
  /** What the route adds to the CapabilityStatement, if it is part of the FHIR API. */
  readonly fhir?: FhirCapability;
  readonly handler: Handler;
}
