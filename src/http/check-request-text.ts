// Refuses path parameters and query strings that carry control characters, before any route sees them.
import { GatewayError, hasControlCharacter } from '../kernel/index.js';

/**
 * Why here, in the one function every route goes through: an id or search value with U+0000 must
 * be answered 400 by the gateway, not passed on to a query that the database answers with an error.
 * Only the parameter's name is quoted back, never its value.
 */
export function checkRequestText(
  params: Readonly<Record<string, string>>,
  query: URLSearchParams,
): void {
  for (const [name, value] of Object.entries(params)) {
    if (hasControlCharacter(value)) throw controlCharacter(`The path parameter ${name}`, name);
  }
  for (const [name, value] of query) {
    if (hasControlCharacter(name)) throw controlCharacter('A query parameter name', undefined);
    if (hasControlCharacter(value)) {
      throw controlCharacter(`The query parameter ${name.slice(0, 64)}`, name.slice(0, 64));
    }
  }
}

/** Form parameters (the token endpoint): the same rule, answered as an OAuth invalid_request. */
export function checkFormText(params: ReadonlyMap<string, string>): void {
  for (const [name, value] of params) {
    if (hasControlCharacter(name) || hasControlCharacter(value)) {
      throw new GatewayError(
        'ENLACE_FORM_CONTROL_CHARACTER',
        `The form parameter ${hasControlCharacter(name) ? '' : `${name.slice(0, 64)} `}holds a control character.`,
      );
    }
  }
}

const controlCharacter = (where: string, expression: string | undefined): GatewayError =>
  new GatewayError('ENLACE_CONTROL_CHARACTER', `${where} holds a control character.`, {
    ...(expression === undefined ? {} : { expression: [expression] }),
  });
