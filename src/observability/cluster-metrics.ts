// Sums the metrics of every process of a cluster: a worker asks its primary, which gathers each worker's and its own.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How long the primary waits for one worker's figures; a worker that does not answer is left out. */
const COLLECT_TIMEOUT_MS = 2000;
/** How long a worker waits for its primary's sum. */
const REQUEST_TIMEOUT_MS = 5000;

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

interface MetricsRequest {
  readonly type: 'enlace:metrics-request';
  readonly id: string;
}
interface MetricsReply {
  readonly type: 'enlace:metrics-reply';
  readonly id: string;
  readonly text?: string;
  /** Processes whose figures the sum covers: the primary and each worker that answered. */
  readonly processes?: number;
}
interface CollectRequest {
  readonly type: 'enlace:metrics-collect';
  readonly id: string;
}
interface CollectReply {
  readonly type: 'enlace:metrics-collected';
  readonly id: string;
  readonly metrics: MetricsJson;
}

const isMessage = <T extends { type: string; id: string }>(
  message: unknown,
  type: T['type'],
): message is T =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === type &&
  typeof (message as { id?: unknown }).id === 'string';

export interface ClusterSum {
  readonly text: string;
  readonly processes: number;
}

/** In the primary: answers each worker's request with the sum over the primary and every worker. */
export function serveClusterMetrics(local: Registry): () => void {
  let next = 0;
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage<MetricsRequest>(message, 'enlace:metrics-request')) return;
    const reply = (answer: Omit<MetricsReply, 'type' | 'id'>): void => {
      if (worker.isConnected())
        worker.send({ type: 'enlace:metrics-reply', id: message.id, ...answer });
    };
    next += 1;
    sumCluster(local, `c${next}`).then(reply, () => {
      reply({});
    });
  };
  cluster.on('message', onMessage);
  return () => {
    cluster.off('message', onMessage);
  };
}

async function sumCluster(local: Registry, id: string): Promise<ClusterSum> {
  const workers = Object.values(cluster.workers ?? {}).filter(
    (worker): worker is Worker => worker !== undefined && worker.isConnected(),
  );
  const [own, ...theirs] = await Promise.all([
    local.getMetricsAsJSON(),
    ...workers.map((worker) => collectFrom(worker, id)),
  ]);
  const answered = theirs.filter((metrics): metrics is MetricsJson => metrics !== undefined);
  const sum = AggregatorRegistry.aggregate([own, ...answered]);
  return { text: await sum.metrics(), processes: 1 + answered.length };
}

function collectFrom(worker: Worker, id: string): Promise<MetricsJson | undefined> {
  return new Promise((resolve) => {
    const done = (metrics: MetricsJson | undefined): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(metrics);
    };
    const onMessage = (message: unknown): void => {
      if (isMessage<CollectReply>(message, 'enlace:metrics-collected') && message.id === id) {
        done(message.metrics);
      }
    };
    const onExit = (): void => {
      done(undefined);
    };
    const timer = setTimeout(done, COLLECT_TIMEOUT_MS, undefined);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.send({ type: 'enlace:metrics-collect', id } satisfies CollectRequest);
  });
}

/** In a worker: hands the primary this process's figures when it gathers them. */
export function answerClusterMetrics(local: Registry): () => void {
  const onMessage = (message: unknown): void => {
    if (!isMessage<CollectRequest>(message, 'enlace:metrics-collect')) return;
    void local.getMetricsAsJSON().then((metrics) => {
      process.send?.({
        type: 'enlace:metrics-collected',
        id: message.id,
        metrics,
      } satisfies CollectReply);
    });
  };
  process.on('message', onMessage);
  return () => {
    process.off('message', onMessage);
  };
}

let requests = 0;

/** In a worker: asks the primary for the sum over the whole cluster. */
export function requestClusterMetrics(): Promise<ClusterSum> {
  requests += 1;
  const id = `${process.pid}:${requests}`;
  return new Promise((resolve, reject) => {
    const done = (reply: MetricsReply | undefined): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (reply?.text === undefined || reply.processes === undefined) {
        reject(new Error('the cluster primary did not return the metrics'));
      } else resolve({ text: reply.text, processes: reply.processes });
    };
    const onMessage = (message: unknown): void => {
      if (isMessage<MetricsReply>(message, 'enlace:metrics-reply') && message.id === id) {
        done(message);
      }
    };
    const timer = setTimeout(done, REQUEST_TIMEOUT_MS, undefined);
    process.on('message', onMessage);
    process.send?.({ type: 'enlace:metrics-request', id } satisfies MetricsRequest);
  });
}
