// Turns the OpenAPI document into a Bruno collection: one request per operation, a folder per tag, a local environment.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dictionary, list, text, writeBru, type BruBlock, type BruPair } from './bru-format.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface OpenApiDocument {
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
  };
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
  readonly tags?: readonly { readonly name: string; readonly description?: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, Json>>>>;
  readonly security?: Json;
  readonly components?: JsonObject;
}

/**
 * The environment variable each security scheme's bearer token is read from. Explicit, so that a
 * scheme added to the document fails the build until someone decides which token it takes.
 */
export const TOKEN_VARIABLES: Readonly<Record<string, string>> = {
  smartBackend: 'token',
  smartAccessToken: 'token',
  operatorSession: 'operatorToken',
  metricsToken: 'metricsToken',
};

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const COLLECTION_NAME = 'Enlace';

/** One operation of the document, as the collection shows it. */
export interface CollectionOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly folder: string;
  /** The environment variable its bearer token comes from; undefined for a public operation. */
  readonly tokenVariable: string | undefined;
}

export interface Collection {
  /** Path under collection/ → file content. */
  readonly files: ReadonlyMap<string, string>;
  readonly operations: readonly CollectionOperation[];
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function buildCollection(document: OpenApiDocument, openapiDir: string): Collection {
  const resolveRef = (value: Json | undefined, seen = 0): Json | undefined => {
    if (!isObject(value) || typeof value.$ref !== 'string') return value;
    if (seen > 16 || !value.$ref.startsWith('#/')) throw new Error(`cannot follow ${value.$ref}`);
    let target: Json | undefined = document as unknown as Json;
    for (const part of value.$ref.slice(2).split('/')) {
      const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new Error(`${value.$ref} does not resolve`);
    return resolveRef(target, seen + 1);
  };
  const object = (value: Json | undefined): JsonObject => {
    const resolved = resolveRef(value);
    return isObject(resolved) ? resolved : {};
  };
  const array = (value: Json | undefined): Json[] => {
    const resolved = resolveRef(value);
    return Array.isArray(resolved) ? resolved : [];
  };

  /** An example from the document, first the one written next to the value, then its schema's. */
  const exampleOf = (holder: JsonObject): Json | undefined => {
    if (holder.example !== undefined) return holder.example;
    const named = Object.values(object(holder.examples))[0];
    if (named !== undefined) {
      const example = object(named);
      if (example.value !== undefined) return example.value;
      const external = asString(example.externalValue);
      // A file beside the document (never a URL: the build reads nothing from the network).
      if (external !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(external)) {
        const content = readFileSync(resolve(openapiDir, external), 'utf8');
        try {
          return JSON.parse(content) as Json;
        } catch {
          return content.trim();
        }
      }
    }
    return undefined;
  };
  /** A value the schema itself states: an example, a constant, the default, the first choice. */
  const statedValue = (schemaValue: Json | undefined): Json | undefined => {
    const schema = object(schemaValue);
    return (
      exampleOf(schema) ??
      array(schema.examples)[0] ??
      schema.const ??
      schema.default ??
      array(schema.enum)[0] ??
      (schema.type === 'array' ? statedValue(schema.items) : undefined)
    );
  };
  /** A value for a body: the stated one, or a skeleton of the schema's required members. */
  const schemaExample = (schemaValue: Json | undefined, depth = 0): Json => {
    const schema = object(schemaValue);
    const stated = statedValue(schema);
    if (stated !== undefined && !(schema.type === 'array' && !Array.isArray(stated))) {
      return stated;
    }
    const alternatives = [...array(schema.oneOf), ...array(schema.anyOf)];
    if (alternatives[0] !== undefined) return schemaExample(alternatives[0], depth + 1);
    const parts = array(schema.allOf);
    if (parts.length > 0) {
      return parts.reduce<JsonObject>(
        (merged, part) => ({ ...merged, ...object(schemaExample(part, depth + 1)) }),
        {},
      );
    }
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === 'object' || isObject(schema.properties)) {
      if (depth > 6) return {};
      const properties = object(schema.properties);
      const required = array(schema.required).filter((key) => typeof key === 'string');
      return Object.fromEntries(
        required.map((key) => [key, schemaExample(properties[key], depth + 1)]),
      );
    }
    if (type === 'array') return [];
    if (type === 'integer' || type === 'number') return 0;
    if (type === 'boolean') return false;
    return '';
  };
  const valueText = (value: Json | undefined): string =>
    value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);

  const tagOrder = (document.tags ?? []).map((tag) => tag.name);
  const tagDescriptions = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
  /** The token endpoint of each client-credentials scheme → the variable its token goes to. */
  const tokenUrls = new Map(
    Object.entries(object(object(document.components).securitySchemes)).flatMap(
      ([name, scheme]) => {
        const url = asString(object(object(object(scheme).flows).clientCredentials).tokenUrl);
        const variable = TOKEN_VARIABLES[name];
        return url === undefined || variable === undefined ? [] : [[url, variable] as const];
      },
    ),
  );
  const tokenVariableOf = (security: Json | undefined, where: string): string | undefined => {
    const first = object(array(security)[0]);
    const scheme = Object.keys(first)[0];
    if (scheme === undefined) return undefined;
    const variable = TOKEN_VARIABLES[scheme];
    if (variable === undefined) {
      throw new Error(
        `${where}: security scheme ${scheme} has no token variable (TOKEN_VARIABLES)`,
      );
    }
    return variable;
  };

  const files = new Map<string, string>();
  const operations: CollectionOperation[] = [];
  const seqByFolder = new Map<string, number>();
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = array(item.parameters);
    for (const method of METHODS) {
      const operationValue = item[method];
      if (operationValue === undefined) continue;
      const operation = object(operationValue);
      const where = `${method.toUpperCase()} ${path}`;
      const operationId = asString(operation.operationId);
      const folder = asString(array(operation.tags)[0]);
      if (operationId === undefined || folder === undefined) {
        throw new Error(`${where}: every operation needs an operationId and a tag`);
      }
      const seq = (seqByFolder.get(folder) ?? 0) + 1;
      seqByFolder.set(folder, seq);
      const tokenVariable = tokenVariableOf(operation.security ?? document.security, where);
      operations.push({ operationId, method, path, folder, tokenVariable });

      const parameters = [...shared, ...array(operation.parameters)].map(object);
      const byLocation = (location: string) => parameters.filter((p) => p.in === location);
      /** A parameter's pairs: one per value of an example that repeats it (`date=ge…&date=lt…`). */
      const pairs = (parameter: JsonObject): BruPair[] => {
        const value = exampleOf(parameter) ?? statedValue(parameter.schema);
        return (Array.isArray(value) && value.length > 0 ? value : [value]).map((item) => ({
          key: asString(parameter.name) ?? '',
          value: valueText(item),
          enabled: parameter.required === true,
        }));
      };
      const query = byLocation('query').flatMap(pairs);
      const enabledQuery = query.filter((p) => p.enabled === true);
      const url =
        `{{baseUrl}}${path.replace(/\{([^}]+)\}/g, ':$1')}` +
        (enabledQuery.length === 0
          ? ''
          : `?${enabledQuery.map((p) => `${p.key}=${p.value}`).join('&')}`);

      const headers: BruPair[] = [];
      const success = Object.entries(object(operation.responses)).find(([status]) =>
        /^2/.test(status),
      );
      const produces = Object.keys(object(object(success?.[1]).content))[0];
      if (produces !== undefined) headers.push({ key: 'Accept', value: produces });

      const requestBody = object(operation.requestBody);
      const [consumes, media] = Object.entries(object(requestBody.content))[0] ?? [];
      const bodyBlocks: BruBlock[] = [];
      let bodyMode = 'none';
      if (consumes !== undefined) {
        headers.push({ key: 'Content-Type', value: consumes });
        const example = exampleOf(object(media)) ?? schemaExample(object(media).schema);
        if (/[/+]json$/.test(consumes)) {
          bodyMode = 'json';
          bodyBlocks.push(text('body:json', JSON.stringify(example, null, 2)));
        } else if (consumes === 'application/x-www-form-urlencoded') {
          bodyMode = 'formUrlEncoded';
          const schema = object(object(media).schema);
          const required = array(schema.required);
          const fields = Object.keys(object(schema.properties));
          const given = object(example);
          bodyBlocks.push(
            dictionary(
              'body:form-urlencoded',
              fields.map((key) => ({
                key,
                value: valueText(given[key] ?? schemaExample(object(schema.properties)[key])),
                enabled: required.includes(key),
              })),
            ),
          );
        } else {
          bodyMode = 'text';
          bodyBlocks.push(text('body:text', valueText(example)));
        }
      }
      headers.push(...byLocation('header').flatMap(pairs));

      const summary = asString(operation.summary) ?? operationId;
      const responses = Object.entries(object(operation.responses)).map(([status, value]) => {
        const description = asString(object(value).description) ?? '';
        return `- ${status}: ${description.trim().replace(/\s*\n\s*/g, ' ')}`;
      });
      const docs = [
        `# ${summary}`,
        `\`${method.toUpperCase()} ${path}\` (operation \`${operationId}\` of openapi/enlace.yaml)`,
        asString(operation.description) ?? '',
        tokenVariable === undefined
          ? 'No credential.'
          : `Bearer token from the environment variable \`${tokenVariable}\`.`,
        `Responses:\n${responses.join('\n')}`,
      ]
        .map((part) => part.trim())
        .filter((part) => part !== '');

      const issued = tokenUrls.get(path);
      const script =
        issued === undefined
          ? []
          : [
              text(
                'script:post-response',
                [
                  '// Keeps the access token for the other requests of the collection.',
                  'if (res.getStatus() === 200) {',
                  `  bru.setEnvVar(${JSON.stringify(issued)}, res.getBody().access_token);`,
                  '}',
                ].join('\n'),
              ),
            ];
      files.set(
        `${folder}/${operationId}.bru`,
        writeBru([
          dictionary('meta', [
            { key: 'name', value: summary },
            { key: 'type', value: 'http' },
            { key: 'seq', value: String(seq) },
          ]),
          dictionary(method, [
            { key: 'url', value: url },
            { key: 'body', value: bodyMode },
            { key: 'auth', value: tokenVariable === undefined ? 'none' : 'bearer' },
          ]),
          dictionary('params:query', query),
          dictionary(
            'params:path',
            byLocation('path').flatMap((parameter) =>
              pairs(parameter).map((found) => ({ ...found, enabled: true })),
            ),
          ),
          dictionary('headers', headers),
          dictionary(
            'auth:bearer',
            tokenVariable === undefined ? [] : [{ key: 'token', value: `{{${tokenVariable}}}` }],
          ),
          ...bodyBlocks,
          ...script,
          text('docs', docs.join('\n\n')),
        ]),
      );
    }
  }

  const folders = [...seqByFolder.keys()].sort((a, b) => {
    const rank = (tag: string) => {
      const index = tagOrder.indexOf(tag);
      return index < 0 ? tagOrder.length : index;
    };
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  folders.forEach((folder, index) => {
    files.set(
      `${folder}/folder.bru`,
      writeBru([
        dictionary('meta', [
          { key: 'name', value: folder },
          { key: 'seq', value: String(index + 1) },
        ]),
        text('docs', tagDescriptions.get(folder) ?? ''),
      ]),
    );
  });

  const baseUrl = document.servers?.[0]?.url;
  if (baseUrl === undefined) throw new Error('the document names no server for the environment');
  const variables = [...new Set(Object.values(TOKEN_VARIABLES))];
  files.set(
    'environments/local.bru',
    writeBru([
      dictionary('vars', [{ key: 'baseUrl', value: baseUrl }]),
      list('vars:secret', variables),
    ]),
  );
  files.set(
    'collection.bru',
    writeBru([
      dictionary('auth', [{ key: 'mode', value: 'none' }]),
      text(
        'docs',
        [
          `# ${document.info.title} ${document.info.version}`,
          'Generated from openapi/enlace.yaml by scripts/collection/build-collection.ts; do not edit by hand (`npm run collection:build`).',
          `Choose the environment \`local\` (${baseUrl}). Put a partner access token in \`token\` (requestAccessToken sets it), an operator session in \`operatorToken\`.`,
          document.info.description ?? '',
        ]
          .filter((part) => part.trim() !== '')
          .join('\n\n'),
      ),
    ]),
  );
  files.set(
    'bruno.json',
    `${JSON.stringify({ version: '1', name: COLLECTION_NAME, type: 'collection' }, null, 2)}\n`,
  );
  return { files, operations };
}
