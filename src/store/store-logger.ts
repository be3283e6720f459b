// The few log calls storage makes; a pino logger satisfies this shape.

export interface StoreLogger {
  info(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const silentLogger: StoreLogger = {
  info: () => undefined,
  error: () => undefined,
};
