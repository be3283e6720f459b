// Starts the gateway as a child process (`node --import tsx src/main.ts`), waits for its "listening on" line, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import process from 'node:process';

export interface GatewayProcess {
  readonly pid: number;
  /** The URL its "listening on" line names, once it printed it; rejects if it exits or times out first. */
  listening(timeoutMs: number): Promise<string>;
  /** The last lines it wrote, to explain a failure. */
  output(): string;
  /** SIGTERM (a graceful drain), then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** For a process 'exit' handler, where nothing can be awaited. */
  killNow(): void;
}

const LISTENING = /listening on (http:\/\/\S+)/;
const KEPT_OUTPUT_CHARS = 8000;

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/**
 * Spawns it and returns at once, so the caller can arrange to stop it before waiting: an
 * interruption while it starts must not leave it running.
 */
export function spawnGateway(options: {
  readonly root: string;
  readonly env: Readonly<Record<string, string>>;
}): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: options.root,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { pid } = child;
  if (pid === undefined) throw new Error('the gateway process could not be started');
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return {
    pid,
    listening: (timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const url = LISTENING.exec(output)?.[1];
          if (url === undefined) return;
          settle();
          resolve(url);
        };
        const fail = (why: string) => () => {
          settle();
          reject(new Error(`${why}\n${output.trim()}`));
        };
        const timer = setTimeout(
          fail(`the gateway did not listen within ${timeoutMs} ms`),
          timeoutMs,
        );
        const onExit = fail('the gateway exited before it listened');
        const settle = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    output: () => output,
    stop: async (graceMs = 10_000) => {
      if (hasExited(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    killNow: () => {
      if (!hasExited(child)) child.kill('SIGKILL');
    },
  };
}
