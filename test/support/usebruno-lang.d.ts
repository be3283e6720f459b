// The part of @usebruno/lang (Bruno's own .bru parser) the collection test uses; the package ships no types.
declare module '@usebruno/lang' {
  export interface BruItem {
    readonly name: string;
    readonly value: string;
    readonly enabled: boolean;
    readonly type?: 'query' | 'path';
    readonly secret?: boolean;
  }
  export interface BruRequest {
    readonly meta?: { readonly name?: string; readonly type?: string; readonly seq?: string };
    readonly http?: {
      readonly method: string;
      readonly url: string;
      readonly body?: string;
      readonly auth?: string;
    };
    readonly params?: readonly BruItem[];
    readonly headers?: readonly BruItem[];
    readonly auth?: { readonly bearer?: { readonly token: string } };
    readonly body?: {
      readonly json?: string;
      readonly text?: string;
      readonly formUrlEncoded?: readonly BruItem[];
    };
    readonly script?: { readonly req?: string; readonly res?: string };
    readonly docs?: string;
  }
  export interface BruFolder {
    readonly meta?: { readonly name?: string; readonly seq?: string };
    readonly auth?: { readonly mode?: string };
    readonly docs?: string;
  }
  export interface BruEnvironment {
    readonly variables: readonly BruItem[];
  }
  const bruno: {
    /** Parses a request file; throws when it is not valid .bru. */
    bruToJsonV2(text: string): BruRequest;
    /** Parses collection.bru or a folder.bru. */
    collectionBruToJson(text: string): BruFolder;
    /** Parses an environment file. */
    bruToEnvJsonV2(text: string): BruEnvironment;
  };
  export default bruno;
}
