#!/usr/bin/env node
// The container's health probe: GET /healthz on the gateway's own port; exit 0 on 200, 1 otherwise.
//
// The image has no curl; node is always there. /healthz never touches the database, so a slow
// database makes the gateway unready (GET /readyz), not unhealthy and restarted.
import http from 'node:http';
import https from 'node:https';
import process from 'node:process';

const TIMEOUT_MS = 4000;
const port = Number(process.env.ENLACE_PORT ?? '8080');
const bound = process.env.ENLACE_HOST ?? '127.0.0.1';
// A wildcard address is not one to connect to: the probe runs beside the gateway, so loopback.
const host = bound === '0.0.0.0' || bound === '::' || bound === '[::]' ? '127.0.0.1' : bound;
const secure =
  process.env.ENLACE_TLS_CERT_FILE !== undefined && process.env.ENLACE_TLS_CERT_FILE !== '';

const request = (secure ? https : http).get(
  {
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port,
    path: '/healthz',
    timeout: TIMEOUT_MS,
    // Why no certificate check: the probe asks whether this process answers over loopback, where
    // the certificate's name never matches; nothing secret is sent or received.
    ...(secure ? { rejectUnauthorized: false } : {}),
  },
  (response) => {
    response.resume();
    process.exitCode = response.statusCode === 200 ? 0 : 1;
  },
);
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  process.stderr.write(`healthcheck: ${error.message}\n`);
  process.exitCode = 1;
});
