// The gateway's PKI, loaded again when `enlace pki init` writes a new network CA into the data directory of a running gateway.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPki, type LoadPkiOptions, type Pki } from './load-pki.js';
import { PKI_FILES } from './pki-constants.js';
import { pkiDir } from './pki-files.js';

/**
 * What identifies the CA files on disk: the issuing certificate's inode, size and modification
 * time. `pki init` writes that file last, so its change means a complete new CA (or a first one).
 */
async function caFilesVersion(dataDir: string): Promise<string> {
  try {
    const info = await stat(join(pkiDir(dataDir), PKI_FILES.issuingCert), { bigint: true });
    return `${String(info.ino)}:${String(info.size)}:${String(info.mtimeNs)}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

/**
 * Loads the PKI as `loadPki` does (refusing broken CA files at start), then checks the CA files'
 * version before each use — one `stat`, no read — and loads everything again when it changed.
 * Why keep the previous PKI when a reload fails: files caught half-written by a running
 * `pki init --force` fail to load for an instant; the next request tries again, and a restart
 * still refuses CA files that stay broken.
 */
export async function loadReloadingPki(options: LoadPkiOptions): Promise<Pki> {
  let version = await caFilesVersion(options.dataDir);
  let current = await loadPki(options);
  let checking: Promise<void> | undefined;

  const check = async (): Promise<void> => {
    const seen = await caFilesVersion(options.dataDir);
    if (seen === version) return;
    try {
      current = await loadPki(options);
      version = seen;
    } catch {
      // The previous PKI stays in force; see the comment above.
    }
  };
  // Concurrent requests share one check rather than each stat-ing and loading.
  const refresh = (): Promise<void> =>
    (checking ??= check().finally(() => {
      checking = undefined;
    }));
  const fresh = async (): Promise<Pki> => {
    await refresh();
    return current;
  };

  return {
    get anchors() {
      return current.anchors;
    },
    get hasGatewayCa() {
      return current.hasGatewayCa;
    },
    refresh,
    issueCertificate: async (input) => (await fresh()).issueCertificate(input),
    revokeCertificate: async (input) => (await fresh()).revokeCertificate(input),
    listCertificates: async (partnerId) => (await fresh()).listCertificates(partnerId),
    buildCrl: async () => (await fresh()).buildCrl(),
    caChainPem: () => current.caChainPem(),
    validateCertificateChain: async (x5c, at) => (await fresh()).validateCertificateChain(x5c, at),
  };
}
