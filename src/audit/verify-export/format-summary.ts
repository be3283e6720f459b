// The verifier's answer as a few lines an auditor reads on a terminal: verdict, first bad index, anchors.
import type { VerifyExportResult } from './verify-types.js';

/** `dir: verified` (or FAILED) and one labelled line per fact the result holds. */
export function formatVerifySummary(dir: string, result: VerifyExportResult): string {
  const lines = [`${dir}: ${result.ok ? 'verified' : 'FAILED verification'}`];
  if (!result.ok)
    lines.push(`  reason:          ${result.reason ?? 'INTERNAL'}: ${result.message ?? ''}`);
  if (result.firstBadIndex !== undefined) lines.push(`  first bad index: ${result.firstBadIndex}`);
  if (result.detail !== undefined) lines.push(`  detail:          ${result.detail}`);
  if (result.origin !== undefined)
    lines.push(`  log:             ${result.origin}, tree size ${result.treeSize ?? '?'}`);
  if (result.root !== undefined) lines.push(`  root:            ${result.root}`);
  const kind =
    result.complete === false ? 'filtered export, each with an inclusion proof' : 'complete export';
  lines.push(`  entries:         ${result.entries} verified (${kind})`);
  for (const witness of result.witnesses) {
    const when =
      witness.timestamp === undefined
        ? ''
        : ` at ${new Date(witness.timestamp * 1000).toISOString()}`;
    lines.push(
      `  witness:         ${witness.name}: ${witness.ok ? `cosigned${when}` : (witness.problem ?? 'invalid')}`,
    );
  }
  if (result.earlier !== undefined) {
    lines.push(
      `  earlier:         checkpoint of size ${result.earlier.size}: ${result.earlier.ok ? 'consistent' : 'NOT proven consistent'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
