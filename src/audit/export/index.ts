// Public face of audit exports: the job record and the pipeline that writes an export an auditor verifies offline.
export { runExport } from './run-export.js';
export { deleteExportFiles, exportDirectory, readExportFile } from './export-files.js';
export type { ExportFiles } from './export-files.js';
export type { ExportDeps } from './run-export.js';
export {
  deleteExportJob,
  findExportJob,
  insertExportJob,
  listExpiredExports,
  updateExportJob,
} from './export-job.js';
export type { ExportFilter, ExportJob, ExportStatus } from './export-job.js';
