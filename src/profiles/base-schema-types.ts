// The shape of the generated base-structure validator (ajv standalone code over the FHIR R4 JSON Schema).
import type { ErrorObject } from 'ajv';

export interface BaseSchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
