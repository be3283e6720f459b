#!/usr/bin/env node
// `npm start`: rebuilds dist/ only when src/ or a tsconfig changed since the last build, then runs the gateway in this process.
//
// `npm install` already builds (the prepare script), so a start normally costs a walk over the
// modification times of src/ (a few milliseconds) instead of a 15-second compilation. Checked:
// every file and folder under src/ (a folder's time changes when a file is added, removed or
// renamed), tsconfig.json and tsconfig.build.json, against dist/main.js, which every successful
// build rewrites (tsconfig.build.json sets noEmitOnError, so a failed build leaves dist/ as it was
// and the next start tries again).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json'].map((name) => join(root, name));

/** The latest modification under `path` (0 when it does not exist), and the path that has it. */
function newest(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return { time: 0, path };
  let found = { time: stats.mtimeMs, path };
  if (stats.isDirectory()) {
    for (const child of readdirSync(path)) {
      const candidate = newest(join(path, child));
      if (candidate.time > found.time) found = candidate;
    }
  }
  return found;
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
function staleness() {
  const built = statSync(entry, { throwIfNoEntry: false });
  if (built === undefined) return 'dist/main.js does not exist';
  const changed = inputs
    .map(newest)
    .reduce((latest, candidate) => (candidate.time > latest.time ? candidate : latest));
  return changed.time > built.mtimeMs
    ? `${relative(root, changed.path)} changed after the last build`
    : undefined;
}

/** Runs the project's own TypeScript compiler; false when it is not installed. */
function build() {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return false;
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write('enlace: the build failed; fix the errors above and start again\n');
    process.exit(result.status ?? 1);
  }
  return true;
}

const reason = staleness();
if (reason !== undefined) {
  process.stderr.write(`enlace: building dist/ (${reason})\n`);
  if (!build()) {
    if (!existsSync(entry)) {
      process.stderr.write(
        'enlace: dist/ has never been built and TypeScript is not installed: run npm install\n',
      );
      process.exit(1);
    }
    process.stderr.write(
      'enlace: TypeScript is not installed (production install?); starting the existing dist/\n',
    );
  }
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.env);
