// The media types the FHIR API speaks, and the `_format` aliases FHIR defines for them.

export const FHIR_JSON = 'application/fhir+json';
export const JSON_TYPE = 'application/json';
export const FHIR_JSON_UTF8 = `${FHIR_JSON}; charset=utf-8`;

/** FHIR `_format` values that mean JSON (http://hl7.org/fhir/R4/http.html#mime-type). */
export const JSON_FORMAT_ALIASES: ReadonlySet<string> = new Set([
  'json',
  FHIR_JSON,
  JSON_TYPE,
  'application/json+fhir',
]);
