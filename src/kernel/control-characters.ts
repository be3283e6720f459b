// Finds the control characters that no identifier, query value or FHIR string may carry.

/**
 * Why: FHIR R4 strings "SHALL NOT contain Unicode character points below 32, except for u0009
 * (horizontal tab), u000D (carriage return) and u000A (line feed)"; PostgreSQL cannot even store
 * U+0000 in text and answers with an error, so such input is refused before it reaches a query.
 */
// eslint-disable-next-line no-control-regex
const IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
/** Identifiers, query values and claims are one line: no tab or line break either. */
// eslint-disable-next-line no-control-regex
const IN_TOKEN = /[\u0000-\u001F\u007F]/;

/** True when the text holds a character FHIR forbids in a string (tab, CR and LF are allowed). */
export const hasForbiddenTextCharacter = (text: string): boolean => IN_TEXT.test(text);

/** True when a one-line value (an id, a query value, a claim) holds any control character. */
export const hasControlCharacter = (text: string): boolean => IN_TOKEN.test(text);
