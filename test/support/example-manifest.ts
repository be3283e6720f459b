// Reads examples/examples.json, the list of sample messages, notices and requests, and the files it names.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, resolve } from 'node:path';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
export const REPOSITORY_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface MessageExample {
  readonly event: string;
  readonly file: string;
  /** Partner ids of the sender and the recipient the example is written for. */
  readonly from: string;
  readonly to: string;
  readonly summary: string;
  /** The gateway's answer to it, when an example shows one. */
  readonly reply?: string;
}

export interface NoticeExample {
  readonly kind: string;
  readonly file: string;
  readonly to: string;
  readonly summary: string;
}

export interface RequestExample {
  readonly operationId: string;
  readonly method: string;
  /** The OpenAPI path, with `{id}` placeholders. */
  readonly path: string;
  readonly file: string;
  /** The partner id that sends it. */
  readonly as: string;
  readonly summary: string;
}

export interface TaskPatchExample {
  readonly status: string;
  /** A status the step may be taken from, and the party that takes it. */
  readonly from: string;
  readonly by: 'sender' | 'recipient';
  readonly file: string;
  readonly summary: string;
}

export interface ExampleManifest {
  readonly messages: readonly MessageExample[];
  readonly notices: readonly NoticeExample[];
  readonly requests: readonly RequestExample[];
  readonly taskPatches: readonly TaskPatchExample[];
}

export const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

export const manifest = readJson(join(EXAMPLES_DIR, 'examples.json')) as ExampleManifest;

/** The absolute path of a file the manifest names (relative to examples/). */
export const examplePath = (file: string): string => resolve(EXAMPLES_DIR, file);

/** A fresh copy of the JSON a manifest entry names, safe to change. */
export const loadExample = (file: string): unknown => readJson(examplePath(file));

/** Every file the manifest names, each relative to the repository. */
export function namedFiles(): string[] {
  const { messages, notices, requests, taskPatches } = manifest;
  return [
    ...messages.flatMap((m) => (m.reply === undefined ? [m.file] : [m.file, m.reply])),
    ...notices.map((n) => n.file),
    ...requests.map((r) => r.file),
    ...taskPatches.map((t) => t.file),
  ].map((file) => relative(REPOSITORY_DIR, examplePath(file)));
}

/** Every JSON file under examples/ but the manifest itself, relative to the repository. */
export function filesUnderExamples(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnderExamples(path);
    return name.endsWith('.json') && path !== join(EXAMPLES_DIR, 'examples.json')
      ? [relative(REPOSITORY_DIR, path)]
      : [];
  });
}
