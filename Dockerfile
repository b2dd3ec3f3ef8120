# One image recipe for every Node component of Vigil: the six services, the hub and the SMTP sink.
# They differ only in APP (their directory) and the port their /health/ready answers on.
# Build from the repository root, e.g.
#   docker build --build-arg APP=services/order --build-arg HEALTH_PORT=8003 -t vigil/order-service .
# docker-compose.yml builds all of them (docs/deploy-compose.md).
#
# BASE_IMAGE / BUILD_IMAGE default to the official Node images (pinned to the Node version the
# repo is tested with). The container test builds these same stages with local stand-ins
# (deploy/containers/local-base.sh: Debian bookworm + Node 24 from npm, no registry pull).
ARG BUILD_IMAGE=docker.io/library/node:24.22.3-bookworm
ARG BASE_IMAGE=docker.io/library/node:24.22.3-bookworm-slim

# --- 1. every workspace manifest and the lockfile (what npm ci checks against each other) -------
FROM ${BUILD_IMAGE} AS manifests
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# npm ci checks the lockfile against every workspace, so every workspace manifest is copied.
COPY package.json package-lock.json .npmrc ./
COPY monitoring/grafana/package.json monitoring/grafana/
COPY packages/card/package.json packages/card/
COPY packages/cli/package.json packages/cli/
COPY packages/hub/package.json packages/hub/
COPY packages/load/package.json packages/load/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/slo/package.json packages/slo/
COPY packages/smtp-sink/package.json packages/smtp-sink/
COPY packages/telemetry/package.json packages/telemetry/
COPY packages/topology/package.json packages/topology/
COPY packages/webhook-sink/package.json packages/webhook-sink/
COPY services/gateway/package.json services/gateway/
COPY services/notification/package.json services/notification/
COPY services/order/package.json services/order/
COPY services/payment/package.json services/payment/
COPY services/product/package.json services/product/
COPY services/user/package.json services/user/

# --- 2. the hub's console, built with its dev tool chain (Vite, React), which no image carries --
FROM manifests AS ui
ARG NODE_EXTRA_CA_CERTS
RUN npm ci -w @vigil/hub --include=dev --ignore-scripts --loglevel=error
COPY tsconfig.base.json ./
COPY packages/hub/ui packages/hub/ui
RUN npm run --silent -w @vigil/hub build:ui

# --- 3. production dependencies of every workspace, installed once (one native build) ---------
FROM manifests AS deps
# NODE_EXTRA_CA_CERTS: only for builds behind a TLS-intercepting proxy (build arg, not kept).
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --omit=dev --loglevel=error \
  # what a running process never reads: the native addon's sources and objects, maps, typings
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
            node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/build/Release/.deps \
            node_modules/better-sqlite3/build/Release/test_extension.node \
  && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
            -o -iname 'README*' -o -iname 'CHANGELOG*' \) -delete
COPY packages packages
COPY services services
COPY monitoring/grafana/console monitoring/grafana/console
# The hub serves the alerts' runbooks (docs/runbooks/<Alert>.md) at /runbooks/<Alert>.
COPY docs/runbooks docs/runbooks
COPY tsconfig.base.json ./

# --- 4. one component: its sources and only the packages it needs -----------------------------
FROM deps AS app
ARG APP
RUN test -n "$APP" || { echo "--build-arg APP=<services/NAME|packages/hub|packages/smtp-sink> is required" >&2; exit 1; } \
  && test -f "$APP/src/server.ts" || { echo "APP=$APP has no src/server.ts" >&2; exit 1; }
# The hub serves its console from packages/hub/ui/dist (static files built in stage 2).
COPY --from=ui /app/packages/hub/ui/dist packages/hub/ui/dist
# `npm ls` lists the installed packages APP needs at run time (workspace packages included);
# only those are copied, with the workspace links, so each image carries its own closure. npm
# lists a workspace package by its link (node_modules/@vigil/x), so the link's target directory
# (packages/x, services/x) is copied too.
RUN mkdir -p /out/node_modules/@vigil \
  && npm ls --omit=dev --all --parseable -w "$APP" | sed 's|^/app/||' | grep -v '^/app$' | grep -v '^$' \
     | while read -r dir; do \
         [ "$dir" = /app ] && continue; \
         cp -a --parents "$dir" /out/; \
         if [ -L "$dir" ]; then target="$(realpath --relative-to=. "$dir")"; \
           case "$target" in packages/*|services/*|monitoring/*) cp -a --parents "$target" /out/ ;; esac; fi; \
       done \
  && cp -a node_modules/@vigil/. /out/node_modules/@vigil/ \
  && cp -a --parents package.json "$APP" /out/ \
  && if [ "$APP" = packages/hub ]; then cp -a --parents monitoring/grafana/package.json monitoring/grafana/console docs/runbooks /out/; fi \
  && find /out -path '*/test' -prune -exec rm -rf {} +

# --- 5. the runtime image: non-root, read-only friendly (writes only under /data) -------------
FROM ${BASE_IMAGE}
ARG APP
ARG HEALTH_PORT
# A digest of the build's inputs (optional). Builders whose layer cache does not look into what a
# `COPY --from` copies (buildah 1.28, podman 4.3) would reuse a stale copy from an earlier build of
# the same APP; a RUN that reads the digest gets a new cache key per digest (a LABEL does not), so
# every layer below it has a new parent and nothing stale is reused.
ARG SOURCE_DIGEST=
RUN mkdir -p /data && chown 1000:1000 /data && echo "${SOURCE_DIGEST}" > /etc/vigil-source-digest
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    VIGIL_DATA_DIR=/data \
    HEALTHCHECK_URL=http://127.0.0.1:${HEALTH_PORT}/health/ready
COPY --from=app /out /app
USER 1000:1000
WORKDIR /app/${APP}
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "src/server.ts"]
