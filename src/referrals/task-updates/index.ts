// Public face of Task updates: the closed loop's steps by PATCH or by message, and the Task as partners see it.
export { applyTaskChange, applyTaskChangeTo } from './apply-task-change.js';
export type { TaskChangeRequest, TaskChangeResult } from './apply-task-change.js';
export { applyTaskMessage } from './apply-task-message.js';
export type { TaskMessageRequest } from './apply-task-message.js';
export { loadVisibleReferral, referralNotFound } from './load-referral.js';
export { readTaskPatch } from './read-task-patch.js';
export { readTaskHistory, readTaskVersion } from './task-history.js';
export type { TaskVersion } from './task-history.js';
export { buildTaskAuditEvent } from './task-audit.js';
export type { TaskAuditInput, TaskInteraction } from './task-audit.js';
export type { TaskChange } from './task-change.js';
export { readTaskResource, taskEtag, toTaskResource } from './task-resource.js';
