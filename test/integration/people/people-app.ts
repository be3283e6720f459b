// A gateway app serving the people routes over a temporary store (SQLite or PostgreSQL), a stopped clock and a test signing key.
import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { TOTP, URI } from 'otpauth';
import { createApp } from '../../../src/app.js';
import type { Route } from '../../../src/http/route.js';
import { GatewayError, type Authorizer } from '../../../src/kernel/index.js';
import { createPeople, type PasswordCheck, type People } from '../../../src/people/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTestDatabase, selectRows, type TestEngine } from '../../support/test-database.js';
import {
  createTestServices,
  listenLocal,
  TEST_PUBLIC_URL,
  TEST_STARTED_AT,
} from '../../support/test-app.js';

export const WHOAMI_PATH = '/test/whoami';

export interface PeopleApp {
  readonly url: string;
  readonly people: People;
  readonly store: Store;
  /** The data directory and the ENLACE_* variables of its database, for the `enlace` command. */
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Rows read straight from the database, as whoever holds the database file would read them. */
  rows<Row>(sql: string): Promise<Row[]>;
  /** The gateway's clock; tests move it. */
  now: Date;
  advance(milliseconds: number): void;
  /** Creates an account as the CLI would and returns its authenticator. */
  enrol(username: string, role?: 'operator' | 'auditor'): Promise<Enrolled>;
  /** AuditEvents appended after the given count, in order. */
  auditAfter(count: number): Promise<AuditEvent[]>;
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export interface Enrolled {
  readonly username: string;
  readonly password: string;
  readonly enrolmentUri: string;
  /** The code the person's authenticator app shows at the gateway's current time. */
  code(): string;
}

/**
 * A stand-in for the authorizer another engineer builds: it delegates Bearer tokens to
 * verifyPersonToken and checks the role, which is all person routes need of it.
 */
function personAuthorizer(people: () => People): Authorizer {
  return async (authorization, requirement) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
    if (match?.[1] === undefined || requirement.kind !== 'person') {
      throw new GatewayError('ENLACE_PERSON_TOKEN_INVALID', 'A person session token is required.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const principal = await people().verifyPersonToken(match[1]);
    if (!requirement.roles.includes(principal.role)) {
      throw new GatewayError('ENLACE_PERSON_TOKEN_INVALID', 'This role may not call the route.');
    }
    return principal;
  };
}

const whoamiRoute: Route = {
  method: 'GET',
  path: WHOAMI_PATH,
  operationId: 'testWhoAmI',
  produces: ['application/json'],
  access: { kind: 'person', roles: ['operator', 'auditor'] },
  handler: (ctx) => ({ body: ctx.principal }),
};

export interface PeopleAppOptions {
  /** The engine to run on; by default PostgreSQL when configured, else SQLite. */
  readonly engine?: TestEngine;
  /** Replaces the password comparison (scrypt), so a test can count the hashing work. */
  readonly checkPassword?: PasswordCheck;
  /** Admit callers with the gateway's own audited authorizer instead of the stand-in. */
  readonly gatewayAuthorizer?: boolean;
}

export async function startPeopleApp(options: PeopleAppOptions = {}): Promise<PeopleApp> {
  const state = { now: new Date(TEST_STARTED_AT) };
  const clock = () => new Date(state.now);
  const database = await (options.engine?.create() ?? createTestDatabase());
  const ctx = await createTestServices({
    env: database.env,
    clock,
    // Called per request, after `built` below exists.
    authorize:
      options.gatewayAuthorizer === true
        ? (authorization, requirement) => ctx.capabilities.authorize(authorization, requirement)
        : personAuthorizer(() => built),
  });
  // The app serves the people routes of the capabilities it was built with, as the gateway does;
  // a password check to count calls needs a People of its own over the same store and keys.
  const built =
    options.checkPassword === undefined
      ? ctx.capabilities.people
      : createPeople({
          store: ctx.store,
          clock,
          signingKey: ctx.capabilities.keys.signing,
          keys: ctx.capabilities.keys,
          issuer: TEST_PUBLIC_URL,
          secretKey: new Uint8Array(randomBytes(32)),
          checkPassword: options.checkPassword,
        });
  const server = await listenLocal(
    createApp({ ...ctx.services, people: built }, { routes: [whoamiRoute] }),
  );
  return {
    url: server.url,
    people: built,
    store: ctx.store,
    dataDir: ctx.dataDir,
    env: { ...database.env, ENLACE_DATA_DIR: ctx.dataDir, ENLACE_PUBLIC_URL: TEST_PUBLIC_URL },
    rows: (sql) => selectRows(database, ctx.dataDir, sql),
    get now() {
      return state.now;
    },
    set now(value: Date) {
      state.now = value;
    },
    advance(milliseconds) {
      state.now = new Date(state.now.getTime() + milliseconds);
    },
    async enrol(username, role = 'operator') {
      const password = `${username} has a long passphrase`;
      const created = await built.createPerson({ username, role, password });
      const totp = URI.parse(created.enrolmentUri);
      if (!(totp instanceof TOTP)) throw new Error('the enrolment URI is not a TOTP URI');
      return {
        username,
        password,
        enrolmentUri: created.enrolmentUri,
        code: () => totp.generate({ timestamp: state.now.getTime() }),
      };
    },
    async auditAfter(count) {
      const records = await ctx.store.audit.list({ afterSeq: count, limit: 1000 });
      return records.map((record) => record.event);
    },
    auditCount: () => ctx.store.audit.count(),
    async close() {
      await server.close();
      await ctx.dispose();
      await database.drop();
    },
  };
}
