// Strict JSON parsing for hostile input: UTF-8, depth, duplicate and prototype keys checked before any object is built.
import Tokenizer from '@streamparser/json/tokenizer.js';
import TokenType from '@streamparser/json/utils/types/tokenType.js';
import { hasForbiddenTextCharacter } from './control-characters.js';
import { GatewayError } from './errors.js';

export interface StrictJsonLimits {
  /** Deepest allowed nesting of objects and arrays; the top-level value is depth 1. */
  readonly maxDepth: number;
}

/** Keys that could reach an object's prototype if any later code merges or assigns them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  readonly kind: 'object' | 'array';
  readonly keys: Set<string>;
  /** Inside an object: whether the next string token is a member name. */
  expectKey: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as UTF-8, refusing any invalid sequence instead of replacing it. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new GatewayError('ENLACE_INVALID_UTF8', 'The request body is not valid UTF-8.', {
      cause,
    });
  }
}

/**
 * Walks the token stream once, without recursion, refusing excessive depth, duplicate member
 * names and prototype keys; only then hands the text to JSON.parse.
 */
export function parseStrictJson(text: string, limits: StrictJsonLimits): unknown {
  checkJsonStructure(text, limits);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw malformed(cause);
  }
}

// Why: parser messages quote input characters, which may be case data; answer with a neutral text.
const malformed = (cause?: unknown): GatewayError =>
  new GatewayError('ENLACE_MALFORMED_JSON', 'The request body is not well-formed JSON.', { cause });

function checkJsonStructure(text: string, limits: StrictJsonLimits): void {
  const stack: Frame[] = [];
  let values = 0;
  const tokenizer = new Tokenizer();
  tokenizer.onToken = ({ token, value }): void => {
    const top = stack.at(-1);
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        // Why: refuse depth here, while tokenizing, so no recursive code ever sees a deep document.
        if (stack.length + 1 > limits.maxDepth) {
          throw new GatewayError(
            'ENLACE_JSON_TOO_DEEP',
            `JSON nesting exceeds the limit of ${limits.maxDepth} levels.`,
          );
        }
        if (top === undefined) values += 1;
        stack.push({
          kind: token === TokenType.LEFT_BRACE ? 'object' : 'array',
          keys: new Set(),
          expectKey: token === TokenType.LEFT_BRACE,
        });
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        stack.pop();
        return;
      case TokenType.COMMA:
        if (top?.kind === 'object') top.expectKey = true;
        return;
      case TokenType.STRING:
        checkCharacters(String(value));
        if (top?.kind === 'object' && top.expectKey) {
          top.expectKey = false;
          checkMemberName(top, String(value));
          return;
        }
        if (top === undefined) values += 1;
        return;
      default:
        if (top === undefined) values += 1;
    }
  };
  tokenizer.onError = (err: Error): void => {
    throw err;
  };
  try {
    tokenizer.write(text);
    tokenizer.end();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw malformed(err);
  }
  if (values !== 1 || stack.length !== 0) throw malformed();
}

function checkCharacters(text: string): void {
  if (hasForbiddenTextCharacter(text)) {
    throw new GatewayError(
      'ENLACE_JSON_CONTROL_CHARACTER',
      'A JSON string holds a control character; FHIR allows only tab, carriage return and line feed.',
    );
  }
}

function checkMemberName(frame: Frame, key: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new GatewayError(
      'ENLACE_JSON_FORBIDDEN_KEY',
      `The member name "${key}" is not allowed in JSON input.`,
    );
  }
  if (frame.keys.has(key)) {
    throw new GatewayError(
      'ENLACE_JSON_DUPLICATE_KEY',
      `The member name "${key.slice(0, 64)}" appears twice in one JSON object.`,
    );
  }
  frame.keys.add(key);
}
