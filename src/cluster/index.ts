// Several worker processes per gateway: the supervisor the primary runs, and what it tells its workers.
export { restartDelayMs } from './restart-backoff.js';
export { superviseWorkers, type Supervisor, type SupervisorOptions } from './supervise-workers.js';
export {
  isIntegrityMessage,
  type IntegrityMessage,
  type WorkerMessage,
} from './worker-messages.js';
