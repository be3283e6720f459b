// Identifier systems the gateway mints and several capabilities read: defined once, on the lowest floor.

/** A survivor's pseudonym (HMAC of her national identifier): the only way the gateway names her. */
export const PSEUDONYM_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym';
