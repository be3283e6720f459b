// A pino destination that keeps every line in memory, so tests can read what the gateway logged.
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../src/config/index.js';

/** One parsed pino line; only the fields the tests look at are typed. */
export interface LogRecord {
  readonly level: number;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export class MemoryLog {
  readonly #lines: string[] = [];
  readonly #waiters: { predicate: (record: LogRecord) => boolean; resolve: () => void }[] = [];

  /** The pino destination interface: each call is one serialised line. */
  write(line: string): void {
    this.#lines.push(line);
    const record = parseLine(line);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(record)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Everything logged so far, as raw text. */
  get text(): string {
    return this.#lines.join('');
  }

  get records(): LogRecord[] {
    return this.#lines.map(parseLine);
  }

  /** Resolves once a matching line has been logged (now or later); mocha's timeout bounds the wait. */
  waitFor(predicate: (record: LogRecord) => boolean): Promise<void> {
    if (this.records.some(predicate)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ predicate, resolve });
    });
  }
}

function parseLine(line: string): LogRecord {
  return JSON.parse(line) as LogRecord;
}

/** A pino logger writing into a fresh MemoryLog. */
export function createMemoryLogger(level: LogLevel = 'info'): { logger: Logger; log: MemoryLog } {
  const log = new MemoryLog();
  return { logger: pino({ level }, log), log };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
