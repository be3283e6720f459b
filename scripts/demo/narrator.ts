// Prints the demo's story: each step in plain words, the HTTP exchanges behind it, and nothing but a final line when quiet.
import process from 'node:process';
import type { Exchange } from './traced-fetch.js';

export interface Narrator {
  /** Starts step `n`, in plain words. */
  step(title: string): void;
  /** A line of detail under the current step. */
  say(text: string): void;
  /** An exchange the SDK made (`who` names the caller) or a push the gateway made to the shelter. */
  exchange(who: string, exchange: Exchange): void;
  /** The number and title of the step under way, for a failure message. */
  current(): string;
}

const dim = (text: string, colour: boolean): string => (colour ? `\x1b[2m${text}\x1b[0m` : text);

export function createNarrator(options: { readonly quiet: boolean }): Narrator {
  const out = (line: string) => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  const colour = process.stdout.isTTY && process.env.NO_COLOR === undefined;
  let number = 0;
  let title = 'setting up';
  return {
    step(text) {
      number += 1;
      title = text;
      out(`\n${String(number).padStart(2)}. ${text}`);
    },
    say(text) {
      out(`    ${text}`);
    },
    exchange(who, exchange) {
      const status = exchange.status === 0 ? '…' : String(exchange.status);
      out(`    ${who.padEnd(10)} ${exchange.method.padEnd(6)} ${exchange.path} → ${status}`);
      if (exchange.sent !== undefined) out(dim(`               sent     ${exchange.sent}`, colour));
      if (exchange.received !== undefined) {
        out(dim(`               received ${exchange.received}`, colour));
      }
    },
    current: () => `step ${number} (${title})`,
  };
}
