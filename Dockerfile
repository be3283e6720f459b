# syntax=docker/dockerfile:1
# The Enlace gateway image: compiled in a build stage, run from the same slim Node 20 base as an
# unprivileged user (UID 10001) on a read-only root filesystem; state lives in /var/lib/enlace.
#
# Build: docker build -t enlace:0.1.0 .
# Run:   docker run --read-only --tmpfs /tmp -v enlace-data:/var/lib/enlace -p 8080:8080 \
#          -e ENLACE_PUBLIC_URL=https://gateway.example.org enlace:0.1.0
# Both stages use one base (Debian 12, glibc): better-sqlite3's native addon is built in the first
# and loaded in the second, so the C library must be the same. Pin by digest in a release pipeline
# (node:20.20.2-bookworm-slim@sha256:…); test/unit/deploy/dockerfile.test.ts checks the pin.

FROM node:20.20.2-bookworm-slim AS build
# python3, make and g++ compile better-sqlite3 when no prebuilt binary fits; this stage is discarded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/enlace
COPY package.json package-lock.json ./
# Why --ignore-scripts, then one rebuild: only better-sqlite3's install script is wanted (the same
# allow-list as package.json "allowScripts"); prepare would compile before src/ is copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20.20.2-bookworm-slim AS runtime
# npm, npx, corepack and yarn are never used at run time: removed, they bring no CVEs of their own.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
    /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
  && groupadd --system --gid 10001 enlace \
  && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/enlace --no-create-home \
    --shell /usr/sbin/nologin enlace \
  && install -d -o 10001 -g 10001 -m 0700 /var/lib/enlace
ENV NODE_ENV=production \
  ENLACE_PROFILE=production \
  ENLACE_HOST=0.0.0.0 \
  ENLACE_PORT=8080 \
  ENLACE_DATA_DIR=/var/lib/enlace
WORKDIR /opt/enlace
# The application files stay owned by root: the gateway's user can read them, never change them.
COPY --from=build /opt/enlace/package.json ./package.json
COPY --from=build /opt/enlace/node_modules ./node_modules
COPY --from=build /opt/enlace/dist ./dist
COPY bin ./bin
COPY openapi ./openapi
COPY policy ./policy
COPY profiles ./profiles
USER 10001:10001
# The database (SQLite), the gateway's keys, its CA, the latest checkpoint and audit exports.
VOLUME ["/var/lib/enlace"]
EXPOSE 8080
# /healthz never touches the database: a slow database makes the gateway unready, not unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "bin/healthcheck.js"]
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "bin/start.js"]
