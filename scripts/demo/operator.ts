// Runs `enlace …` commands in this process and reads what they print: the operator's, on the demo gateway's data directory, and the auditor's.
import process from 'node:process';
import { runCli } from '../../src/cli/main.js';

export type Operator = (...argv: string[]) => Promise<unknown>;

/**
 * Runs one command, returning its exit code, standard output and standard error. Why capture:
 * the commands print their result as JSON on stdout, as a shell script would read it, and their
 * notes on stderr; the demo reads the one and shows the other only when a command fails.
 */
export async function runEnlace(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; out: string; err: string }> {
  const captured = { out: '', err: '' };
  const capture =
    (into: 'out' | 'err') =>
    (chunk: string | Uint8Array): boolean => {
      captured[into] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    };
  const { stdout, stderr } = process;
  const [writeOut, writeErr] = [stdout.write.bind(stdout), stderr.write.bind(stderr)];
  stdout.write = capture('out');
  stderr.write = capture('err');
  try {
    const code = await runCli(argv, env);
    return { code, ...captured };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}

/** The operator's commands on the data directory `env` names; each answers its JSON output. */
export function createOperator(env: Readonly<Record<string, string>>): Operator {
  return async (...argv) => {
    const { code, out, err } = await runEnlace(argv, env);
    if (code !== 0)
      throw new Error(`enlace ${argv.slice(0, 2).join(' ')} exited with ${code}: ${err.trim()}`);
    return out.trim() === '' ? undefined : (JSON.parse(out) as unknown);
  };
}
