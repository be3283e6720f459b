// Public face of transport security: native TLS for the listener, and the client certificate a request's connection carried.
export { prepareServerTls, startTlsRefresh, TLS_REFRESH_SECONDS } from './server-tls.js';
export type { ServerTls } from './server-tls.js';
export { readTlsFiles, TlsFileError } from './read-tls-files.js';
export { TLS_CIPHERS, TLS_CURVES } from './tls-options.js';
export { presentedCertificateOf } from './presented-certificate.js';
