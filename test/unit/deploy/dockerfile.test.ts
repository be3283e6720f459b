// The Dockerfile and .dockerignore: linted by dockerfile-utils, then checked for the properties a hardened image needs.
//
// Docker does not run on the project's machines, so nothing builds the image here; hadolint is
// neither in Debian nor on npm. This parses the Dockerfile (dockerfile-ast, the parser of the
// Docker language server) and asserts what the README's Deployment section promises.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const TEXT = readFileSync(root('Dockerfile'), 'utf8');
const IGNORE = readFileSync(root('.dockerignore'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(root('package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

interface Stage {
  readonly name: string | null;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages, each with its FROM image and the instructions after it. */
function stagesOf(text: string): Stage[] {
  const stages: { name: string | null; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((argument) => argument.getValue());
      const as = args.findIndex((arg) => arg.toUpperCase() === 'AS');
      stages.push({ name: as < 0 ? null : args[as + 1]!, image: args[0]!, instructions: [] });
    } else {
      const stage = stages.at(-1);
      assert.ok(stage !== undefined, `${instruction.getKeyword()} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

const argumentsOf = (instruction: Instruction): string[] =>
  instruction.getArguments().map((argument) => argument.getValue());
const ofKind = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
/** The exec form (JSON array) that follows an instruction's keyword or HEALTHCHECK's CMD. */
const execForm = (instruction: Instruction, after = 0): string[] =>
  JSON.parse(argumentsOf(instruction).slice(after).join(' ')) as string[];
const envOf = (stage: Stage): Map<string, string> =>
  new Map(
    ofKind(stage, 'ENV').flatMap((instruction) =>
      argumentsOf(instruction).map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
      }),
    ),
  );
/** COPY sources taken from the build context (not from another stage). */
const contextSources = (stage: Stage): string[] =>
  ofKind(stage, 'COPY')
    .filter((copy) => copy instanceof Copy && copy.getFromFlag() === null)
    .flatMap((copy) => argumentsOf(copy).slice(0, -1));

const stages = stagesOf(TEXT);
const build = stages[0]!;
const runtime = stages.at(-1)!;

describe('the Dockerfile', () => {
  it('lints clean with dockerfile-utils, which does flag a broken file', () => {
    assert.deepEqual(validate(TEXT), []);
    const broken = validate('FROM node:20\nHEALTHCHECK --intervl=5s CMD true\nEXPOSE http\n');
    assert.ok(broken.length >= 2, JSON.stringify(broken));
  });

  it('builds in one stage and runs from another on the same pinned slim Node 20 base', () => {
    assert.ok(stages.length >= 2, 'a multi-stage build');
    // Why one base: better-sqlite3's addon is compiled against the build stage's C library.
    assert.deepEqual(new Set(stages.map((stage) => stage.image)).size, 1);
    assert.match(
      runtime.image,
      /^node:20\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$|^node@sha256:[0-9a-f]{64}$/,
    );
    assert.equal(build.name, 'build');
  });

  it('compiles with npm ci and npm run build, then prunes the dev dependencies', () => {
    const runs = ofKind(build, 'RUN').map((run) => argumentsOf(run).join(' '));
    const script = runs.join(' && ');
    assert.match(script, /apt-get install -y --no-install-recommends python3 make g\+\+/);
    assert.match(script, /npm ci\b/);
    assert.match(script, /npm rebuild better-sqlite3/);
    assert.match(script, /npm run build\b/);
    assert.match(script, /npm prune --omit=dev/);
    assert.equal(PACKAGE.scripts.build, 'tsc -p tsconfig.build.json');
    assert.ok(script.indexOf('npm run build') < script.indexOf('npm prune'));
  });

  it('runs as a numeric non-root user, set after the last RUN', () => {
    const users = ofKind(runtime, 'USER');
    assert.equal(users.length, 1);
    const [user] = argumentsOf(users[0]!);
    assert.match(
      user!,
      /^[1-9][0-9]*:[1-9][0-9]*$/,
      'numeric UID:GID, so runAsNonRoot can check it',
    );
    const last = (keyword: string) =>
      runtime.instructions.findLastIndex((i) => i.getKeyword() === keyword);
    assert.ok(last('RUN') < last('USER'));
    assert.match(TEXT, new RegExp(`--uid ${user!.split(':')[0]!} `));
  });

  it('keeps state in a volume and the application where src/ is absent', () => {
    const env = envOf(runtime);
    assert.equal(env.get('ENLACE_PROFILE'), 'production');
    assert.equal(env.get('ENLACE_HOST'), '0.0.0.0');
    assert.equal(env.get('ENLACE_DATA_DIR'), '/var/lib/enlace');
    const volumes = ofKind(runtime, 'VOLUME').flatMap((volume) => execForm(volume));
    assert.deepEqual(volumes, [env.get('ENLACE_DATA_DIR')]);
    assert.deepEqual(ofKind(runtime, 'EXPOSE').flatMap(argumentsOf), [env.get('ENLACE_PORT')]);
    // Why no src/ or tsconfig in the image: bin/start.js rebuilds dist/ when they are newer, and
    // a read-only root filesystem has nowhere to write it.
    const copied = ofKind(runtime, 'COPY').map((copy) => argumentsOf(copy).at(-1)!);
    for (const needed of [
      './dist',
      './node_modules',
      './bin',
      './openapi',
      './policy',
      './profiles',
    ]) {
      assert.ok(copied.includes(needed), needed);
    }
    for (const absent of ['./src', './tsconfig.json', './tsconfig.build.json']) {
      assert.ok(!copied.includes(absent), absent);
    }
  });

  it('checks health with node itself and starts the gateway as npm start does', () => {
    const checks = ofKind(runtime, 'HEALTHCHECK');
    assert.equal(checks.length, 1);
    assert.equal(argumentsOf(checks[0]!)[0], 'CMD');
    const probe = execForm(checks[0]!, 1);
    assert.deepEqual(probe, ['node', 'bin/healthcheck.js']);
    assert.ok(existsSync(root(probe[1]!)));
    const [cmd] = ofKind(runtime, 'CMD');
    assert.deepEqual(
      ['node', ...execForm(cmd!).slice(1)],
      PACKAGE.scripts.start!.split(' '),
      'the same command line as the start script',
    );
    assert.equal(ofKind(runtime, 'ENTRYPOINT').length, 0);
  });

  it('fetches nothing with ADD and bakes no secret into the image', () => {
    for (const stage of stages) {
      assert.equal(ofKind(stage, 'ADD').length, 0, 'COPY only: ADD fetches URLs and unpacks');
      for (const name of [...envOf(stage).keys(), ...ofKind(stage, 'ARG').flatMap(argumentsOf)]) {
        assert.doesNotMatch(name, /SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL|CREDENTIAL/i, name);
      }
    }
  });
});

describe('the .dockerignore', () => {
  const rules = IGNORE.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const allowed = rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1));

  it('is an allow-list: everything is left out unless named', () => {
    assert.equal(rules[0], '*');
    for (const never of [
      'node_modules',
      '.git',
      'data',
      'test-artifacts',
      'bench-results',
      'certs',
      '.env',
      'coverage',
      'deploy',
      'test',
    ]) {
      assert.ok(!allowed.some((path) => path.replace(/\/$/, '') === never), never);
    }
    for (const pattern of ['**/*.key', '**/*.pem', '**/*.db', '**/.env']) {
      assert.ok(rules.includes(pattern), pattern);
    }
  });

  it('lets in exactly what the Dockerfile copies from the build context', () => {
    const sources = new Set(stages.flatMap(contextSources));
    assert.deepEqual([...sources].sort(), allowed.map((path) => path.replace(/\/$/, '')).sort());
    for (const source of sources) assert.ok(existsSync(root(source)), source);
  });
});
