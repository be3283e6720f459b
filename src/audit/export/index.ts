// Public face of audit exports: the job record and the pipeline that writes an export an auditor verifies offline.
export { exportDirectory, runExport } from './run-export.js';
export type { ExportDeps } from './run-export.js';
export {
  deleteExportJob,
  findExportJob,
  insertExportJob,
  listExpiredExports,
  updateExportJob,
} from './export-job.js';
export type { ExportFilter, ExportJob, ExportStatus } from './export-job.js';
