// Moves a referral's Task along the closed loop with JSON Patch and If-Match, as the recipient or the sender.
import type { Task, TaskOutput } from '@medplum/fhirtypes';
import type { components } from '../generated/openapi-types.js';
import { EnlaceProtocolError } from '../errors.js';
import { asResource, versionOf } from '../transport/as-resource.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';

/** A Task as last seen: its id and the version an If-Match must name. */
export type TaskRef = Task | { readonly id: string; readonly version: string };

type PatchOperation = components['schemas']['JsonPatchOperation'];

export interface TasksApi {
  /** `GET /fhir/Task/{id}`, with `meta.versionId` set from the ETag. */
  read(id: string): Promise<Task>;
  /** received/requested → accepted (the recipient). */
  accept(task: TaskRef, note?: string): Promise<Task>;
  /** → rejected, with the reason (the recipient). */
  reject(task: TaskRef, reason: string): Promise<Task>;
  /** accepted → in-progress (the recipient). */
  start(task: TaskRef, note?: string): Promise<Task>;
  /** → completed, saying what was provided (the recipient). */
  complete(task: TaskRef, output: string | TaskOutput): Promise<Task>;
  /** → failed, with the reason (the recipient). */
  fail(task: TaskRef, reason: string): Promise<Task>;
  /** → cancelled, with the reason (the sender, until completion). */
  cancel(task: TaskRef, reason: string): Promise<Task>;
  /** Any other accepted JSON Patch, e.g. only a note with the same status. */
  patch(task: TaskRef, operations: readonly PatchOperation[]): Promise<Task>;
}

const status = (value: string): PatchOperation => ({ op: 'replace', path: '/status', value });
const reasonOf = (text: string): PatchOperation => ({
  op: 'add',
  path: '/statusReason',
  value: { text },
});
const noteOf = (text: string | undefined): PatchOperation[] =>
  text === undefined ? [] : [{ op: 'add', path: '/note/-', value: { text } }];

function refOf(task: TaskRef): { id: string; version: string } {
  const id = task.id;
  const version = 'version' in task ? task.version : task.meta?.versionId;
  // Why required: the gateway refuses a change without If-Match (428), so that neither
  // institution overwrites a step it has not seen; a Task read from the gateway always has one.
  if (id === undefined || version === undefined) {
    throw new TypeError('the Task needs its id and version (read it with tasks.read)');
  }
  return { id, version };
}

export function createTasksApi(http: GatewayHttp): TasksApi {
  const withVersion = (task: Task, etag: string | null): Task => {
    const version = versionOf(etag) ?? task.meta?.versionId;
    if (version === undefined) throw new EnlaceProtocolError('the Task came without a version');
    return { ...task, meta: { ...task.meta, versionId: version } };
  };
  const patch = async (task: TaskRef, operations: readonly PatchOperation[]): Promise<Task> => {
    const { id, version } = refOf(task);
    const result = await http.api.PATCH('/fhir/Task/{id}', {
      params: { path: { id }, header: { 'If-Match': `W/"${version}"` } },
      body: [...operations],
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    return withVersion(
      asResource<Task>(unwrap(result), 'Task'),
      result.response.headers.get('etag'),
    );
  };
  return {
    read: async (id) => {
      const result = await http.api.GET('/fhir/Task/{id}', { params: { path: { id } } });
      return withVersion(
        asResource<Task>(unwrap(result), 'Task'),
        result.response.headers.get('etag'),
      );
    },
    accept: (task, note) => patch(task, [status('accepted'), ...noteOf(note)]),
    reject: (task, reason) => patch(task, [status('rejected'), reasonOf(reason)]),
    start: (task, note) => patch(task, [status('in-progress'), ...noteOf(note)]),
    complete: (task, output) =>
      patch(task, [
        status('completed'),
        {
          op: 'add',
          path: '/output/-',
          value:
            typeof output === 'string'
              ? { type: { text: 'service provided' }, valueString: output }
              : output,
        },
      ]),
    fail: (task, reason) => patch(task, [status('failed'), reasonOf(reason)]),
    cancel: (task, reason) => patch(task, [status('cancelled'), reasonOf(reason)]),
    patch,
  };
}
