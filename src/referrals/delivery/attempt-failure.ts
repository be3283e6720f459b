// Why an attempt failed, and whether trying again could help.

export class AttemptFailure extends Error {
  /** True when retrying cannot succeed (endpoint refused, consent withdrawn): dead at once. */
  readonly permanent: boolean;

  constructor(reason: string, permanent: boolean, options: { cause?: unknown } = {}) {
    super(reason, options);
    this.name = 'AttemptFailure';
    this.permanent = permanent;
  }
}

/** A short, payload-free description of a network error: its code or name, never a body. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return `network error (${typeof code === 'string' ? code : error.name})`;
  }
  return 'network error';
}
