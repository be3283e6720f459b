// HTML built only through a tagged template that escapes every value it is given, so no value can become markup.

/** Markup this module produced itself; anything else is text and gets escaped. */
export class SafeHtml {
  constructor(readonly markup: string) {}
}

type Value = string | number | SafeHtml | readonly SafeHtml[] | undefined;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values alike. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);

function render(value: Value): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  if (value instanceof SafeHtml) return value.markup;
  return value.map((item) => item.markup).join('');
}

/**
 * Why a tag and not string concatenation: a partner's name, a justification or any future field
 * is escaped by construction; only fragments made by this same tag pass through unchanged.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Value[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(markup);
}
