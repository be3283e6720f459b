// Writes Bruno's plain-text .bru format: named blocks of key-value pairs, lists or indented text.

/** One `key: value` line of a dictionary block; a disabled one is written with `~` in front. */
export interface BruPair {
  readonly key: string;
  readonly value: string;
  readonly enabled?: boolean;
}

export type BruBlock =
  | { readonly name: string; readonly kind: 'dictionary'; readonly pairs: readonly BruPair[] }
  | { readonly name: string; readonly kind: 'text'; readonly text: string }
  | { readonly name: string; readonly kind: 'list'; readonly items: readonly string[] };

/** Keys holding one of these are quoted, as Bruno does. */
const QUOTABLE = [':', '"', '{', '}', ' '];

const keyOf = (key: string): string =>
  QUOTABLE.some((char) => key.includes(char)) ? `"${key.replaceAll('"', '\\"')}"` : key;

/** Why refuse rather than escape: a value is one line in .bru, and a newline would end the pair. */
function oneLine(value: string, where: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${where}: a .bru value must be one line`);
  return value;
}

const indent = (text: string): string =>
  text
    .split(/\r\n|\r|\n/)
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');

function writeBlock(block: BruBlock): string {
  switch (block.kind) {
    case 'dictionary': {
      const lines = block.pairs.map(
        ({ key, value, enabled }) =>
          `  ${enabled === false ? '~' : ''}${keyOf(key)}: ${oneLine(value, `${block.name}.${key}`)}`,
      );
      return `${block.name} {\n${lines.join('\n')}\n}`;
    }
    case 'list':
      return `${block.name} [\n${block.items.map((item) => `  ${item}`).join(',\n')}\n]`;
    case 'text':
      // A line reading `}` at the margin would close the block; indented, every line is content.
      return `${block.name} {\n${indent(block.text.replace(/\s+$/, ''))}\n}`;
  }
}

/** A whole .bru file: its blocks in order, one blank line apart, ending with a newline. */
export function writeBru(blocks: readonly BruBlock[]): string {
  const present = blocks.filter(
    (block) =>
      (block.kind === 'dictionary' && block.pairs.length > 0) ||
      (block.kind === 'list' && block.items.length > 0) ||
      (block.kind === 'text' && block.text.trim() !== ''),
  );
  return `${present.map(writeBlock).join('\n\n')}\n`;
}

export const dictionary = (name: string, pairs: readonly BruPair[]): BruBlock => ({
  name,
  kind: 'dictionary',
  pairs,
});

export const text = (name: string, content: string): BruBlock => ({
  name,
  kind: 'text',
  text: content,
});

export const list = (name: string, items: readonly string[]): BruBlock => ({
  name,
  kind: 'list',
  items,
});
