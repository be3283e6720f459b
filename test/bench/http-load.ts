// A closed-loop HTTP load generator on node:http keep-alive connections: n requests over c connections, latency of each.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadResult {
  readonly requests: number;
  /** Responses other than the expected status, and failed connections. */
  readonly errors: number;
  /** The first few errors, status and body start, to say what went wrong. */
  readonly errorSamples: readonly string[];
  readonly elapsedMs: number;
  /** Requests per second over the whole run. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(agent: Agent, url: URL, req: LoadRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: {
          ...req.headers,
          ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Sends `total` requests, `connections` at a time (each connection sends its next request when its
 * previous answer has arrived), and hands every expected answer's body to `onAnswer`.
 */
export async function runLoad(
  base: string,
  total: number,
  connections: number,
  requestAt: (index: number) => LoadRequest,
  options: { readonly expect: number; readonly onAnswer?: (body: string, index: number) => void },
): Promise<LoadResult> {
  const url = new URL(base);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: connections,
    maxFreeSockets: connections,
  });
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < total; index = next++) {
      const req = requestAt(index);
      const sent = performance.now();
      try {
        const answer = await send(agent, url, req);
        latencies.push(performance.now() - sent);
        if (answer.status === options.expect) {
          options.onAnswer?.(answer.body, index);
        } else {
          errors += 1;
          if (errorSamples.length < 3)
            errorSamples.push(`${answer.status} ${answer.body.slice(0, 300)}`);
        }
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push(String(error));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(connections, total) }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    requests: total,
    errors,
    errorSamples,
    elapsedMs,
    throughput: (total / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
