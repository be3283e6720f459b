// Keeps one access token: reused while it has time left, renewed ahead of expiry, never fetched twice at once.
export interface IssuedToken {
  readonly accessToken: string;
  /** Epoch milliseconds at which the gateway stops accepting it. */
  readonly expiresAt: number;
  /** The scopes granted (narrowed by the gateway to the institution's role). */
  readonly scopes: readonly string[];
  /** The institution the token acts for, `Organization/<id>`, read from the verified token. */
  readonly organization: string;
  readonly role: string;
}

export interface TokenSource {
  /** A token with at least the refresh margin left; obtains a new one when needed. */
  current(): Promise<IssuedToken>;
  /** Forgets the token, so the next call obtains another (after a 401, a key rotation). */
  invalidate(): void;
}

export interface TokenSourceOptions {
  readonly issue: () => Promise<IssuedToken>;
  readonly now: () => number;
  /** Renew when less than this is left; capped at half the token's life. Default 60 s. */
  readonly refreshAheadMs?: number;
}

/**
 * Why one in-flight request: a burst of calls as a token expires must not send a burst of client
 * assertions (each a fresh `jti`, each audited); they all wait for the same answer.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const ahead = options.refreshAheadMs ?? 60_000;
  let held: { token: IssuedToken; obtainedAt: number } | undefined;
  let pending: Promise<IssuedToken> | undefined;
  const isFresh = (entry: { token: IssuedToken; obtainedAt: number }): boolean => {
    const life = entry.token.expiresAt - entry.obtainedAt;
    return entry.token.expiresAt - options.now() > Math.min(ahead, life / 2);
  };
  return {
    current: () => {
      if (held !== undefined && isFresh(held)) return Promise.resolve(held.token);
      pending ??= (async () => {
        try {
          const obtainedAt = options.now();
          const token = await options.issue();
          held = { token, obtainedAt };
          return token;
        } finally {
          pending = undefined;
        }
      })();
      return pending;
    },
    invalidate: () => {
      held = undefined;
    },
  };
}
