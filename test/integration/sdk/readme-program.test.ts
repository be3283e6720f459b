// The README's SDK program, read from README.md by its marker and run unchanged against a gateway, so it cannot drift.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRunDatabase, type TestDatabase } from '../../support/test-database.js';
import { createSdkNetwork, type SdkNetwork } from './sdk-network.js';

const README = new URL('../../../README.md', import.meta.url);
const ROOT = new URL('../../../', import.meta.url);
const MARKER = '<!-- sdk-program: run by test/integration/sdk/readme-program.test.ts -->';

/** The first fenced block of `language` after `from` in the text. */
function fencedBlock(text: string, from: number, language: string): string {
  const open = `\`\`\`${language}\n`;
  const start = text.indexOf(open, from);
  assert.ok(start >= 0, `no ${language} block after the marker`);
  const end = text.indexOf('\n```\n', start + open.length);
  return text.slice(start + open.length, end + 1);
}

async function readmeProgram(): Promise<{ program: string; output: string[] }> {
  const text = await readFile(README, 'utf8');
  const at = text.indexOf(MARKER);
  assert.ok(at >= 0, 'the README lost the SDK program marker');
  const program = fencedBlock(text, at, 'js');
  const output = fencedBlock(text, at + MARKER.length + program.length, 'text');
  return { program, output: output.trimEnd().split('\n') };
}

/** Runs the program as an integrator would, `enlace` resolved to the SDK's source (the exports condition). */
function run(
  program: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=enlace-source', '--import', 'tsx', '--input-type=module', '--eval', program],
    { cwd: ROOT, env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** A line of the README's printed output as a pattern: `…` stands for what differs at each run. */
const asPattern = (line: string): RegExp =>
  new RegExp(
    `^${line
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );

describe('the README’s SDK program', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let network: SdkNetwork;

  before(async () => {
    database = await createRunDatabase();
    network = await createSdkNetwork(database);
  });

  after(async () => {
    await network.dispose();
    await database.drop();
  });

  it('is a complete program of under 40 lines', async () => {
    const { program } = await readmeProgram();
    assert.ok(program.split('\n').length - 1 < 40, `${program.split('\n').length - 1} lines`);
    assert.match(program, /^import \{[^}]+\} from 'enlace';$/m);
  });

  it('runs unchanged against a gateway and prints what the README says', async () => {
    const { program, output } = await readmeProgram();
    const result = await run(program, {
      POLICE_PROFILE: network.police.profile,
      SHELTER_PROFILE: network.shelter.profile,
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, output.length, result.stdout);
    lines.forEach((line, index) => {
      assert.match(line, asPattern(output[index] ?? ''));
    });
  });
});
