// The part of madge's API the tests use (the package ships no types).
declare module 'madge' {
  interface MadgeConfig {
    readonly fileExtensions?: readonly string[];
    readonly tsConfig?: string;
    readonly includeNpm?: boolean;
    readonly detectiveOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  }
  interface MadgeResult {
    /** Each module (relative to the entry's folder) with the modules it imports. */
    obj(): Record<string, string[]>;
  }
  export default function madge(path: string, config?: MadgeConfig): Promise<MadgeResult>;
}
