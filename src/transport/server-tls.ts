// The gateway's TLS: the server's pair and the client CAs from the PKI, applied again (setSecureContext) when either changes.
import type { Server as TlsServer, TlsOptions } from 'node:tls';
import type { TlsConfig } from '../config/index.js';
import type { Clock } from '../kernel/index.js';
import type { Pki } from '../pki/index.js';
import { readTlsFiles, tlsFilesVersion } from './read-tls-files.js';
import { secureContextOptions, tlsServerOptions } from './tls-options.js';

/** How often each serving process looks for a renewed certificate or a new network CA. */
export const TLS_REFRESH_SECONDS = 60;

export interface ServerTls {
  /** The options the server is created with. */
  readonly options: TlsOptions;
  /** The server certificate's SHA-256 fingerprint and end of validity, for the start-up log. */
  readonly certificate: { readonly fingerprint256: string; readonly validTo: string };
  /**
   * Reads the files and the CAs again and applies them to new connections (open ones keep theirs).
   * Resolves whether anything changed; rejects, keeping the context in force, when the new files
   * cannot serve (caught half-written, or a key that does not match).
   */
  reload(server: TlsServer): Promise<boolean>;
}

/**
 * The CAs whose certificates partners may present: every trust anchor of the PKI (the network's
 * root, external national CAs) and the network's issuing CA, which partners' chains pass through.
 */
async function clientCasOf(pki: Pki): Promise<string[]> {
  await pki.refresh();
  const anchors = pki.anchors.map((anchor) => anchor.certificate.node.toString());
  return pki.hasGatewayCa ? [...anchors, pki.caChainPem()] : anchors;
}

export async function prepareServerTls(tls: TlsConfig, pki: Pki, clock: Clock): Promise<ServerTls> {
  const wantsClientCas = tls.clientAuth !== 'off';
  const state = async () => {
    const version = await tlsFilesVersion(tls);
    const clientCas = wantsClientCas ? await clientCasOf(pki) : [];
    return { version, clientCas, key: `${version}#${clientCas.join('')}` };
  };
  let current = await state();
  const files = await readTlsFiles(tls, clock());
  const options = tlsServerOptions(files, tls, current.clientCas);
  let reloading: Promise<boolean> | undefined;
  const reload = async (server: TlsServer): Promise<boolean> => {
    const next = await state();
    if (next.key === current.key) return false;
    const fresh = await readTlsFiles(tls, clock());
    server.setSecureContext(secureContextOptions(fresh, tls, next.clientCas));
    current = next;
    return true;
  };
  return {
    options,
    certificate: { fingerprint256: files.leaf.fingerprint256, validTo: files.leaf.validTo },
    // A signal and the timer arriving together share one reload.
    reload: (server) =>
      (reloading ??= reload(server).finally(() => {
        reloading = undefined;
      })),
  };
}

/** Calls `reload` every TLS_REFRESH_SECONDS until the returned function is called. */
export function startTlsRefresh(
  reload: () => Promise<boolean>,
  onResult: (changed: boolean | Error) => void,
): () => void {
  const timer = setInterval(() => {
    reload().then(onResult, (err: unknown) => {
      onResult(err instanceof Error ? err : new Error(String(err)));
    });
  }, TLS_REFRESH_SECONDS * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
