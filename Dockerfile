# syntax=docker/dockerfile:1
# The Polygres runtime image: Postgres 15, pgBackRest, etcd, Node.js and the `polygres` CLI.
# Every container of a Kubernetes cluster rendered by @polygres/constructs runs it (the
# pooler with its Postgres, the gateways, the orchestrators, etcd, the bootstrap Job).
#
#   docker build -t ghcr.io/polygres/polygres:0.1.0 .
#   Target.kubernetes({ image: 'ghcr.io/polygres/polygres', imageTag: '0.1.0' })
#
# Build arguments pin the versions; the image runs as the unprivileged user `postgres`
# (uid/gid 999, which the rendered pods' securityContext expects).

# Node 24 LTS (supported until April 2028); CI runs the unit tests on this exact version too
# (scripts/unit-tests-on-image-node.sh reads it from here).
ARG NODE_VERSION=24.22.3
ARG DEBIAN_RELEASE=bookworm

# --- build: compile the runtime and pack it as npm would publish it ---------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS build
WORKDIR /src
# Every workspace's package.json, so `npm ci` can check the lock file.
COPY package.json package-lock.json tsconfig.json ./
COPY runtime/package.json runtime/
COPY constructs/package.json constructs/
COPY provider/package.json provider/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY runtime runtime
RUN npm run build -w runtime && cd runtime && npm pack --pack-destination /tmp

# --- runtime image ----------------------------------------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim
ENV TZ=UTC LANG=C.UTF-8
# The postgres user first, with a fixed id, so the packages below adopt it.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --create-home --shell /bin/bash postgres \
 && mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
      postgresql-15 postgresql-client-15 pgbackrest etcd-server ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /tmp/polygres-runtime-*.tgz /tmp/
RUN npm install --global --no-audit --no-fund /tmp/polygres-runtime-*.tgz \
 && rm /tmp/polygres-runtime-*.tgz \
 && npm cache clean --force \
 && mkdir -p /var/lib/polygres /var/lib/etcd /etc/polygres \
 && chown postgres:postgres /var/lib/polygres /var/lib/etcd
ENV POLYGRES_PG_BINDIR=/usr/lib/postgresql/15/bin
USER 999:999
WORKDIR /var/lib/polygres
EXPOSE 5432 5433 6432 8008 8009 9187 2379 2380
CMD ["polygres", "--help"]
