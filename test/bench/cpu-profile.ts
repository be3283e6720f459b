// Where the gateway's CPU went: a V8 .cpuprofile of a submission run, its samples attributed to pipeline stages.
import { readFile } from 'node:fs/promises';

/** The stages of `$process-message`, then what surrounds them. */
export const STAGES = [
  'authenticate',
  'decrypt',
  'validate',
  'verify',
  'route',
  'consent',
  'persist',
  'audit',
  'respond',
  'sql',
  'http',
  'logging',
  'crypto (no caller)',
  'other (src)',
  'other (library)',
  'runtime',
  'gc',
] as const;
export type Stage = (typeof STAGES)[number];

/**
 * src/ paths (as `src/…` or the compiled `dist/…`) to stages; the first matching rule wins. A frame
 * whose rule says `undefined` is a shared helper: the sample goes to its nearest caller with a stage.
 * Each sample is attributed to the innermost frame on its stack that has a stage, so the SQL a
 * consent check runs counts as consent when its caller is still on the stack, and as `sql` when only
 * the driver is (after an await inside the query builder).
 */
export const STAGE_RULES: readonly (readonly [RegExp, Stage | undefined])[] = [
  [/^(kernel|fhir)\//, undefined],
  [/^crypto\/canonical-json/, undefined],
  [/^crypto\/sign-bundle\.[jt]s:unsignedBundleBytes$/, undefined],
  [/^auth\//, 'authenticate'],
  [
    /^referrals\/submission\/decrypt-submission|^crypto\/(decrypt-inbound|inbound-jwe-header)/,
    'decrypt',
  ],
  [
    /^referrals\/submission\/(check-message-shape|check-message-profile|select-handler|message-definitions|read-referral-content)|^profiles\//,
    'validate',
  ],
  [
    /^referrals\/(submission\/verify-sender|sender-keys)|^crypto\/(verify-|signature-|public-key-cache|jose-header|fhir-signature|gateway-verification-keys)|^pki\//,
    'verify',
  ],
  [/^referrals\/submission\/check-route|^partners\//, 'route'],
  [/^consent\/|^referrals\/submission\/survivor-pseudonyms/, 'consent'],
  [
    /^audit\/|^referrals\/submission\/submission-audit|^store\/shared\/(audit-trail|frontier)/,
    'audit',
  ],
  [
    /^referrals\/submission\/(build-acknowledgement)|^crypto\/(sign-bundle|sign-detached)|^http\/(send|negotiate|prefer-return)/,
    'respond',
  ],
  [
    /^referrals\/(submission\/|referral-repository|outbox|types)|^crypto\/(payload-vault|data-keys)/,
    'persist',
  ],
  [/^store\//, 'sql'],
  [/^http\/request-log/, 'logging'],
  [/^http\/|^app\.[jt]s/, 'http'],
];

/**
 * Libraries, for samples with no src/ frame on the stack (the stack was cut at an await): the first
 * rule that matches any frame of the stack decides, so a JWS verified for an access token (jwt/)
 * counts as authentication and the other JWS verifications as the message signature's.
 */
const LIBRARY_RULES: readonly (readonly [RegExp, Stage])[] = [
  [/node_modules\/jose\/.*\/jwt\//, 'authenticate'],
  [/node_modules\/jose\/.*\/(jwe\/.*\/decrypt|lib\/(jwe_decrypt|content_encryption))/, 'decrypt'],
  [/node_modules\/jose\/.*\/(jws\/.*\/verify|lib\/jws_verify)/, 'verify'],
  [/node_modules\/jose\/.*\/(jws\/.*\/sign|lib\/jws_sign)/, 'respond'],
  [/node_modules\/(kysely|better-sqlite3|pg|pg-protocol|pg-pool)\//, 'sql'],
  [/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\//, 'logging'],
  [
    /node_modules\/(express|router|raw-body|negotiator|content-type|on-headers|finalhandler|send|@streamparser|body-parser|iconv-lite)\//,
    'http',
  ],
  [/node_modules\/(ajv|fhirpath)\//, 'validate'],
  [/node_modules\/jose\//, 'crypto (no caller)'],
  [/node_modules\//, 'other (library)'],
];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface StageBreakdown {
  /** Percent of the busy (non-idle) time sampled in the window, per stage. */
  readonly stages: Readonly<Partial<Record<Stage, number>>>;
  /** Milliseconds of busy CPU sampled in the window. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Heaviest functions by self time: `path:function` and percent of busy time. */
  readonly hottest: readonly { readonly frame: string; readonly percent: number }[];
  /** Whether the samples could be limited to the run's window (else the whole profile counts). */
  readonly windowed: boolean;
}

/** `src/x/y.ts` or `dist/x/y.js` of this project, as `x/y.ts`; undefined for anything else. */
function projectPath(url: string): string | undefined {
  const match = /\/(?:src|dist)\/(.+)$/.exec(url);
  if (match?.[1] === undefined || url.includes('/node_modules/')) return undefined;
  return match[1];
}

function stageOfFrame(frame: ProfileNode['callFrame']): Stage | 'transparent' | undefined {
  const path = projectPath(frame.url);
  if (path === undefined) return undefined;
  const named = `${path}:${frame.functionName}`;
  for (const [pattern, stage] of STAGE_RULES) {
    if (pattern.test(named)) return stage ?? 'transparent';
  }
  return 'other (src)';
}

/**
 * Reads the profile and attributes each sample taken between `fromUs` and `toUs` (the monotonic
 * clock in microseconds, which V8 and process.hrtime share on Linux) to a stage.
 */
export async function breakDownProfile(
  file: string,
  window: { readonly fromUs: number; readonly toUs: number },
): Promise<StageBreakdown> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const stageOfNode = new Map<number, Stage | 'idle'>();
  const stageOf = (id: number): Stage | 'idle' => {
    const known = stageOfNode.get(id);
    if (known !== undefined) return known;
    const leaf = byId.get(id);
    let stage: Stage | 'idle' | undefined;
    const name = leaf?.callFrame.functionName;
    if (name === '(idle)') stage = 'idle';
    else if (name === '(garbage collector)') stage = 'gc';
    else if (name === '(program)') stage = 'runtime';
    const libraries: string[] = [];
    for (
      let at: number | undefined = id;
      stage === undefined && at !== undefined;
      at = parent.get(at)
    ) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      const own = stageOfFrame(frame);
      if (own !== undefined && own !== 'transparent') stage = own;
      if (own === undefined) libraries.push(frame.url);
    }
    stage ??=
      LIBRARY_RULES.find(([pattern]) => libraries.some((url) => pattern.test(url)))?.[1] ??
      'runtime';
    stageOfNode.set(id, stage);
    return stage;
  };

  const totals = new Map<Stage | 'idle', number>();
  const self = new Map<string, number>();
  let time = profile.startTime;
  let inWindow = 0;
  const weights = profile.samples.map((_, i) => profile.timeDeltas[i + 1] ?? 0);
  const add = (id: number, weight: number) => {
    const stage = stageOf(id);
    totals.set(stage, (totals.get(stage) ?? 0) + weight);
    if (stage === 'idle') return;
    const frame = byId.get(id)?.callFrame;
    const where = `${projectPath(frame?.url ?? '') ?? frame?.url.replace(/^.*node_modules\//, '') ?? ''}:${frame?.functionName || '(anonymous)'}`;
    self.set(where, (self.get(where) ?? 0) + weight);
  };
  for (const [i, id] of profile.samples.entries()) {
    time += profile.timeDeltas[i] ?? 0;
    if (time >= window.fromUs && time <= window.toUs) {
      inWindow += 1;
      add(id, weights[i] ?? 0);
    }
  }
  const windowed = inWindow > 0;
  if (!windowed) for (const [i, id] of profile.samples.entries()) add(id, weights[i] ?? 0);
  const idle = totals.get('idle') ?? 0;
  const busy = [...totals].reduce((sum, [stage, us]) => (stage === 'idle' ? sum : sum + us), 0);
  const percent = (us: number) => Math.round((us / Math.max(1, busy)) * 1000) / 10;
  const stages: Partial<Record<Stage, number>> = {};
  for (const stage of STAGES) {
    const us = totals.get(stage);
    if (us !== undefined && us > 0) stages[stage] = percent(us);
  }
  return {
    stages,
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    hottest: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([frame, us]) => ({ frame, percent: percent(us) })),
    windowed,
  };
}
