// Public face of retrieval: searching and reading Tasks, and packaging a referral for its recipient.
export { buildDeliveryBundle } from './build-delivery-bundle.js';
export type { DeliveryContent } from './build-delivery-bundle.js';
export { createPackageForRecipient } from './package-for-recipient.js';
export type { RetrievalDeps } from './retrieval-deps.js';
export { retrieveReferral, retrieveReferralPackage } from './retrieve-referral.js';
export type { RetrieveDeps, RetrieveRequest, RetrievedReferral } from './retrieve-referral.js';
export { searchTasks } from './search-tasks.js';
export type { TaskPage, TaskSearchDeps } from './search-tasks.js';
export {
  readTaskSearch,
  TASK_SEARCH_PAGING,
  TASK_SEARCH_PARAM_DOCS,
  taskSearchParams,
} from './task-search-params.js';
export type { TaskSearch } from './task-search-params.js';
