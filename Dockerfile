# syntax=docker/dockerfile:1.20
#
# One image per function, all from this file (a generated Dockerfile per function would differ
# only in this argument):
#
#   docker build --build-arg FUNCTION=identity -t registry.example.com/kinetic/identity:<tag> .
#
# `buildah build` and `podman build` take the same arguments. See docs/deploying.md.
#
# Stage 1 installs the workspace and runs `npm run bundle -- $FUNCTION`: function.cjs with
# every dependency inlined, its source map, the V8 code cache this stage's Node.js writes for it
# (the same release as stage 2's, or V8 would reject the cache), the loader index.mjs and the
# function's migrations. Stage 2 is Node.js plus that one directory: no node_modules, no
# sources, no build tools.
#
# Both stages use the exact Node.js release the tests run on (scripts/bundle/dockerfile.test.ts
# checks the major against package.json `engines` and the test runner's). A tag can be pushed
# again with other bytes; a digest cannot. For reproducible production builds pin the digest too,
#   FROM node:20.20.2-bookworm-slim@sha256:<digest>
# as printed by `docker buildx imagetools inspect node:20.20.2-bookworm-slim`, and let Renovate
# or Dependabot move tag and digest together. None is committed here because none can be checked
# from this repository's build machines.
ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the `npm ci` layer is reused until a dependency changes.
COPY --parents package.json package-lock.json proto/package.json shared/package.json functions/*/package.json local-dev/package.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
ARG FUNCTION
RUN if [ -z "$FUNCTION" ]; then echo "set --build-arg FUNCTION=<name>, a folder under functions/" >&2; exit 1; fi \
  && npm run bundle -- "$FUNCTION"

# Node's official slim image, not distroless: Node.js 20 is past its end of life (April 2026),
# and distroless removes a Node.js image at that point (as it did nodejs18) and is retiring its
# debian12 images, while the official image keeps its release tags. npm, corepack and yarn are
# removed: nothing here installs anything, and they are what image scanners flag most.
FROM node:${NODE_VERSION}-bookworm-slim
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ARG FUNCTION
WORKDIR /app
COPY --from=build /src/dist/functions/${FUNCTION}/ ./
ENV NODE_ENV=production PORT=8080
EXPOSE 8080
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it. The files
# stay root's: the function reads its bundle and migrations but cannot change them.
USER 1000:1000
# Exec form, replacing the image's docker-entrypoint.sh: no shell runs, and the kubelet's
# SIGTERM reaches node (PID 1) directly, which drains and exits 0. No --enable-source-maps: it
# parses the whole source map at every start; the loader maps stack traces when one is printed.
# No V8 flags either (NODE_OPTIONS=--max-old-space-size… included): the code cache is valid
# only under the flags it was written with, and the loader warns on stderr when it is not.
ENTRYPOINT ["node", "index.mjs"]
