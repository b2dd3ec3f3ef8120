// Runs a profile of the repo's docker-compose.yml with rootful podman, without Docker or a
// registry: the Node images are built from the real Dockerfile on local stand-ins for the
// official base images (deploy/containers/local-base.sh), Prometheus & co. come from Debian
// packages. The compose file is read as `docker-compose config` resolves it (anchors, merge
// keys, defaults) and each service becomes one `podman run` with the same image, command,
// environment, volumes, limits, read-only root and healthcheck, on one podman network where
// the service name is the host name. Images are tagged by content hash: a warm machine
// rebuilds nothing.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, waitFor } from '@vigil/service-kit/testing';
import { parse } from 'yaml';

const exec = promisify(execFile);
/** The machine's container setup (issue 16): cgroupfs, runc, limits within the current ones. */
export const PODMAN_GLOBAL = ['--cgroup-manager', 'cgroupfs', '--runtime', 'runc'];
export const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export async function podman(args: string[], opts: { input?: string; timeoutMs?: number } = {}) {
  const { stdout } = await exec('podman', [...PODMAN_GLOBAL, ...args], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return stdout;
}

/** Streams a long podman command (builds), failing with its tail on a non-zero exit. */
function podmanStream(args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('podman', [...PODMAN_GLOBAL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) =>
      code === 0
        ? ok()
        : fail(new Error(`podman ${args.slice(0, 3).join(' ')} exited ${code}:\n${tail.join('\n')}`)),
    );
  });
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  volumes?: string[];
  tmpfs?: string[];
  read_only?: boolean;
  user?: string;
  mem_limit?: string | number;
  cpus?: number;
  init?: boolean;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  secrets?: Array<string | { source: string; target?: string }>;
  healthcheck?: {
    test: string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
  volumes?: Record<string, unknown>;
}

/** The core profile's variables (docker compose --env-file deploy/compose/core.env ...). */
export const CORE_ENV_FILE = join(repoRoot, 'deploy/compose/core.env');

/**
 * docker-compose.yml as `docker-compose config` resolves it: with the repo's .env (the full
 * stack) unless `envFile` replaces it.
 */
export async function composeConfig(envFile?: string): Promise<ComposeFile> {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  const args = ['--project-directory', repoRoot, '-f', join(repoRoot, 'docker-compose.yml')];
  if (envFile) args.push('--env-file', envFile);
  const { stdout } = await exec('docker-compose', [...args, 'config'], {
    env: clean,
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return parse(stdout) as ComposeFile;
}

/** Services of the default (core) profile: those without `profiles`. */
export function coreServices(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, s]) => !s.profiles?.length)
    .map(([name]) => name);
}

/** Start order: a service after everything in its depends_on. */
export function startOrder(compose: ComposeFile, names: string[]): string[] {
  const out: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (out.includes(name)) return;
    if (path.includes(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
    for (const dep of Object.keys(compose.services[name]?.depends_on ?? {})) visit(dep, [...path, name]);
    out.push(name);
  };
  for (const name of names) visit(name, []);
  return out;
}

export interface LocalBase {
  NODE_IMAGE: string;
  NODE_BUILD_IMAGE: string;
  PROM_IMAGE: string;
}

export async function localBase(): Promise<LocalBase> {
  const { stdout } = await exec(join(repoRoot, 'deploy/containers/local-base.sh'), [], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  const vars = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  return vars as unknown as LocalBase;
}

/** Every workspace of the root package.json (`dir/*` globs and plain directories): name -> dir. */
export function workspaces(): Map<string, string> {
  const patterns = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).workspaces as string[];
  const dirs = patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
          .filter(
            (e) =>
              e.isDirectory() && existsSync(join(repoRoot, pattern.slice(0, -2), e.name, 'package.json')),
          )
          .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
      : [pattern],
  );
  return new Map(
    dirs.map((dir) => [
      JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')).name as string,
      dir,
    ]),
  );
}

interface NpmTree {
  dependencies?: Record<string, NpmTree>;
}

/**
 * The workspace directories each app's image carries: the app and every workspace package
 * `npm ls --omit=dev` lists under it, the listing the Dockerfile's closure step copies by.
 */
export async function workspaceClosures(apps: string[]): Promise<Record<string, string[]>> {
  const byName = workspaces();
  const nameOf = new Map([...byName].map(([name, dir]) => [dir, name]));
  const args = ['ls', '--omit=dev', '--all', '--json', ...apps.flatMap((app) => ['-w', app])];
  const { stdout } = await exec('npm', args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  // With several workspaces in one listing npm prints a package's dependencies only where it
  // first lists it (later: deduped), so the edges between workspace packages are gathered from the
  // whole tree first, then each app's closure is followed along them.
  const edges = new Map<string, Set<string>>();
  const gather = (name: string, node: NpmTree) => {
    for (const [dep, sub] of Object.entries(node.dependencies ?? {})) {
      if (!byName.has(dep)) continue;
      if (!edges.has(name)) edges.set(name, new Set());
      edges.get(name)?.add(dep);
      gather(dep, sub);
    }
  };
  gather('', JSON.parse(stdout) as NpmTree);
  const closures: Record<string, string[]> = {};
  for (const app of apps) {
    const name = nameOf.get(app);
    if (!name || !edges.get('')?.has(name)) throw new Error(`npm ls does not list the workspace ${app}`);
    const found = new Set<string>();
    const follow = (n: string) => {
      if (found.has(n)) return;
      found.add(n);
      for (const dep of edges.get(n) ?? []) follow(dep);
    };
    follow(name);
    closures[app] = [...found].map((n) => byName.get(n) as string).sort();
  }
  return closures;
}

/**
 * Files that reach one app's image: the lockfile and every workspace manifest (npm ci reads them
 * all), the Dockerfile, and the sources of the workspaces in the app's closure (plus the hub's
 * console specs and runbooks, as the Dockerfile copies them). A change elsewhere leaves the tag.
 */
async function nodeImageInputs(app: string, closure: string[]): Promise<string[]> {
  const extra = app === 'packages/hub' ? ['monitoring/grafana/console', 'docs/runbooks'] : [];
  const { stdout } = await exec('git', ['ls-files', '-co', '--exclude-standard', ...closure, ...extra], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return [
    'Dockerfile',
    '.dockerignore',
    'package.json',
    'package-lock.json',
    '.npmrc',
    'tsconfig.base.json',
    ...[...workspaces().values()].map((dir) => `${dir}/package.json`),
    ...stdout.split('\n').filter((f) => f && !/(^|\/)(test|node_modules|dist)\//.test(f)),
  ];
}

export async function contentHash(files: string[], extra: string): Promise<string> {
  const hash = createHash('sha256').update(extra);
  for (const file of files.sort()) {
    hash.update(file);
    try {
      hash.update(readFileSync(join(repoRoot, file)));
    } catch {
      hash.update('<missing>');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The images Debian's packages stand in for (same versions as the compose file pins). */
const PROM_ENTRYPOINTS: Record<string, string> = {
  prometheus: '/usr/bin/prometheus',
  alertmanager: '/usr/bin/prometheus-alertmanager',
  'node-exporter': '/usr/bin/prometheus-node-exporter',
};

/**
 * Builds every image `names` need: Node components from the repo's Dockerfile (with the
 * compose file's build args, base images swapped for the local ones), monitoring images as a
 * one-line entrypoint over the Debian-packaged base. Returns service -> image reference.
 */
export async function buildImages(
  compose: ComposeFile,
  names: string[],
  base: LocalBase,
  log: (line: string) => void = () => {},
): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  const apps = names.map((name) => compose.services[name]?.build?.args?.APP).filter((a) => a !== undefined);
  const closures = await workspaceClosures(apps);
  for (const name of names) {
    const svc = compose.services[name];
    if (!svc) throw new Error(`no service ${name} in docker-compose.yml`);
    if (svc.build) {
      // Tagged by a hash of what reaches this image: a change in one service rebuilds that one.
      const app = svc.build.args?.APP as string;
      const inputs = await nodeImageInputs(app, closures[app] as string[]);
      const nodeHash = await contentHash(
        inputs,
        `${base.NODE_IMAGE} ${base.NODE_BUILD_IMAGE} ${JSON.stringify(svc.build.args)}`,
      );
      const args = {
        ...svc.build.args,
        BASE_IMAGE: base.NODE_IMAGE,
        BUILD_IMAGE: base.NODE_BUILD_IMAGE,
        // podman's layer cache would otherwise reuse a runtime layer of an older build (Dockerfile).
        SOURCE_DIGEST: nodeHash,
      };
      const tag = `localhost/vigil-test/${name}:${nodeHash}`;
      images[name] = tag;
      if (await imageExists(tag)) continue;
      log(`building ${tag}`);
      await podmanStream(
        [
          'build',
          ...ULIMITS,
          '--format',
          'docker',
          '--layers',
          '--pull=never',
          '-f',
          resolve(svc.build.context, svc.build.dockerfile ?? 'Dockerfile'),
          ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
          // Builds here reach the npm registry through a TLS-intercepting proxy: trust the
          // machine's CA bundle during the build only (not kept in the image).
          '--build-arg',
          'NODE_EXTRA_CA_CERTS=/run/host-ca.crt',
          '-v',
          '/etc/ssl/certs/ca-certificates.crt:/run/host-ca.crt:ro',
          '-t',
          tag,
          svc.build.context,
        ],
        log,
      );
    } else if (PROM_ENTRYPOINTS[name]) {
      const tag = `localhost/vigil-test/${name}:${await contentHash([], `${base.PROM_IMAGE} ${PROM_ENTRYPOINTS[name]}`)}`;
      images[name] = tag;
      if (await imageExists(tag)) continue;
      const containerfile = `FROM ${base.PROM_IMAGE}\nUSER 65534:65534\nENTRYPOINT ["${PROM_ENTRYPOINTS[name]}"]\n`;
      const dir = mkdtempSync('/var/tmp/vigil-prom-');
      writeFileSync(join(dir, 'Containerfile'), containerfile);
      try {
        await podmanStream(['build', ...ULIMITS, '--format', 'docker', '--pull=never', '-t', tag, dir], log);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      throw new Error(`${name}: no local stand-in for image ${svc.image}`);
    }
  }
  return images;
}

async function imageExists(ref: string): Promise<boolean> {
  try {
    await podman(['image', 'exists', ref]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Keeps the image store bounded: every image is tagged by a hash of its inputs, so each change
 * adds a tag per component (about 230 MB) plus its untagged build stage (about 770 MB). Removes
 * the harness's tags that `current` does not name (a tag an existing container still uses is
 * refused by podman and left), then untagged images older than a day: a day's build cache stays
 * for rebuilds, older layers go. Callers hold /tmp/vigil-podman.lock, so no build is under way.
 */
export async function pruneStaleImages(
  current: string[],
  log: (line: string) => void = () => {},
): Promise<void> {
  const keep = new Set(current);
  const tagged = (await podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
  const stale = tagged.filter((ref) => ref.startsWith('localhost/vigil-test/') && !keep.has(ref));
  for (const ref of stale) {
    try {
      await podman(['rmi', ref]);
      log(`removed stale image ${ref}`);
    } catch (err) {
      log(`kept ${ref}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  await podman(['image', 'prune', '-f', '--filter', 'until=24h'], { timeoutMs: 600_000 });
}

export interface RunOptions {
  /** Published ports: service -> container port to publish on 127.0.0.1 (random host port). */
  publish?: Record<string, number>;
  log?: (line: string) => void;
}

/** Every container, volume and network the harness creates carries this label. */
export const TEST_LABEL = 'dev.vigil.test=containers';

/**
 * Removes what a previous run left behind (a crashed or killed run cannot clean up after
 * itself): every container, volume and network with TEST_LABEL. Only one container test runs at
 * a time per machine (`make test-containers` and bench/containers hold /tmp/vigil-podman.lock, as
 * every podman build and run here does), so none of them is in use.
 */
export async function removeLeftovers(log: (line: string) => void = () => {}): Promise<void> {
  const ids = (args: string[]) =>
    podman(args).then(
      (out) => out.split('\n').filter(Boolean),
      () => [] as string[],
    );
  const containers = await ids(['ps', '-a', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Names}}']);
  if (containers.length) {
    log(`removing leftover containers: ${containers.join(' ')}`);
    await podman(['rm', '-f', '-t', '0', ...containers], { timeoutMs: 120_000 });
  }
  const volumes = await ids(['volume', 'ls', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Name}}']);
  if (volumes.length) await podman(['volume', 'rm', '-f', ...volumes]);
  const networks = await ids(['network', 'ls', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Name}}']);
  if (networks.length) await podman(['network', 'rm', '-f', ...networks]);
}

/** A compose profile running in podman; `close()` removes its containers, volumes and network. */
export class PodmanStack {
  readonly prefix: string;
  readonly network: string;
  readonly hostPorts: Record<string, number> = {};
  /** Seconds from the first `podman run` until each service was healthy. */
  readonly healthyAfter: Record<string, number> = {};
  private started: string[] = [];
  private volumes = new Set<string>();

  readonly compose: ComposeFile;
  readonly images: Record<string, string>;

  constructor(compose: ComposeFile, images: Record<string, string>, prefix = `vigil-t${process.pid}`) {
    this.compose = compose;
    this.images = images;
    this.prefix = prefix;
    this.network = `${prefix}-net`;
  }

  container(service: string): string {
    return `${this.prefix}-${service}`;
  }

  /** Starts `names` in depends_on order, waiting for each dependency's condition. */
  async up(names: string[], opts: RunOptions = {}): Promise<void> {
    const log = opts.log ?? (() => {});
    startOrder(this.compose, names); // a depends_on cycle fails before anything starts
    await podman(['network', 'create', '--label', TEST_LABEL, this.network]);
    // Compose resolves service names on its network; podman on CNI only with the dnsname plugin
    // (Debian golang-github-containernetworking-plugin-dnsname, in the Makefile's CONTAINER_DEBS).
    const dns = (await podman(['network', 'inspect', '--format', '{{.DNSEnabled}}', this.network])).trim();
    if (dns !== 'true')
      throw new Error(
        `podman network ${this.network} has no DNS (service names would not resolve): install the CNI dnsname plugin (make test-containers does)`,
      );
    const t0 = Date.now();
    const started = new Map<string, Promise<void>>();
    const healthy = new Map<string, Promise<void>>();
    // As compose does: each container starts as soon as its dependencies meet their condition,
    // independent ones in parallel.
    const start = (name: string): Promise<void> => {
      let done = started.get(name);
      if (!done) {
        const svc = this.compose.services[name] as ComposeService;
        done = (async () => {
          await Promise.all(
            Object.entries(svc.depends_on ?? {}).map(([dep, { condition }]) =>
              condition === 'service_healthy' ? healthyOf(dep) : start(dep),
            ),
          );
          await this.run(name, svc, opts.publish?.[name]);
          log(`started ${name} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        })();
        started.set(name, done);
      }
      return done;
    };
    const healthyOf = (name: string): Promise<void> => {
      let done = healthy.get(name);
      if (!done) {
        done = start(name).then(async () => {
          await this.waitHealthy(name, 90_000);
          this.healthyAfter[name] = (Date.now() - t0) / 1000;
        });
        healthy.set(name, done);
      }
      return done;
    };
    // Every start settles (each wait has a deadline) before a failure is reported, so close()
    // knows every container that was started.
    const results = await Promise.allSettled(names.map(healthyOf));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async run(name: string, svc: ComposeService, publish: number | undefined): Promise<void> {
    const image = this.images[name];
    if (!image) throw new Error(`no image for ${name}`);
    const args = [
      'run',
      '-d',
      '--name',
      this.container(name),
      '--network',
      this.network,
      '--network-alias',
      name,
      '--label',
      TEST_LABEL,
    ];
    args.push('--hostname', name, ...ULIMITS);
    if (svc.read_only) args.push('--read-only');
    for (const t of svc.tmpfs ?? []) args.push('--tmpfs', t);
    if (svc.user) args.push('--user', svc.user);
    if (svc.mem_limit !== undefined) args.push('--memory', String(svc.mem_limit));
    if (svc.cpus !== undefined) args.push('--cpus', String(svc.cpus));
    if (svc.init) args.push('--init');
    for (const [k, v] of Object.entries(svc.environment ?? {})) if (v !== null) args.push('-e', `${k}=${v}`);
    for (const spec of svc.volumes ?? []) {
      const [source, target, mode] = spec.split(':') as [string, string, string | undefined];
      if (source.startsWith('/')) {
        // Options as compose gives them (`ro`, `ro,rslave`, ...); none means read-write.
        args.push('-v', `${source}:${target}:${mode ?? 'rw'}`);
      } else {
        const volume = `${this.prefix}-${source}`;
        if (!this.volumes.has(volume)) await podman(['volume', 'create', '--label', TEST_LABEL, volume]);
        this.volumes.add(volume);
        args.push('-v', `${volume}:${target}`);
      }
    }
    for (const secret of svc.secrets ?? []) {
      const source = typeof secret === 'string' ? secret : secret.source;
      const target = (typeof secret === 'string' ? undefined : secret.target) ?? source;
      const file = this.compose.secrets?.[source]?.file;
      if (!file) throw new Error(`${name}: secret ${source} has no file`);
      args.push('-v', `${file}:/run/secrets/${target}:ro`);
    }
    const hc = svc.healthcheck;
    if (hc && hc.test[0] !== 'NONE') {
      const [kind, ...rest] = hc.test;
      const cmd = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
      args.push('--health-cmd', JSON.stringify(cmd));
      args.push('--health-interval', hc.interval ?? '30s', '--health-timeout', hc.timeout ?? '30s');
      args.push(
        '--health-retries',
        String(hc.retries ?? 3),
        '--health-start-period',
        hc.start_period ?? '0s',
      );
    }
    if (publish !== undefined) {
      const { freePort } = await import('@vigil/service-kit/testing');
      const hostPort = await freePort();
      this.hostPorts[name] = hostPort;
      args.push('-p', `127.0.0.1:${hostPort}:${publish}`);
    }
    if (svc.entrypoint) args.push('--entrypoint', JSON.stringify(svc.entrypoint));
    args.push(image, ...(svc.command ?? []));
    this.started.push(name);
    await podman(args);
  }

  /** Healthy per the compose healthcheck, run on demand (no systemd timers here). */
  async waitHealthy(name: string, timeoutMs: number): Promise<void> {
    const svc = this.compose.services[name];
    const hasCheck = svc?.healthcheck && svc.healthcheck.test[0] !== 'NONE';
    let lastCheck = '';
    let stopped = '';
    try {
      await waitFor(
        async () => {
          const state = await this.state(name);
          // A container that exited will not become healthy: stop waiting at once.
          if (['exited', 'stopped', 'dead'].includes(state)) {
            stopped = state;
            return true;
          }
          if (state !== 'running') return undefined;
          if (!hasCheck) return true;
          try {
            await podman(['healthcheck', 'run', this.container(name)], { timeoutMs: 15_000 });
            return true;
          } catch (err) {
            lastCheck = err instanceof Error ? err.message : String(err);
            return undefined;
          }
        },
        // Each check is a podman exec of the healthcheck command inside the container (a node
        // process within its CPU limit): once a second, so the polling does not slow the start.
        { timeoutMs, intervalMs: 1000, description: `${name} healthy` },
      );
      if (stopped) throw new Error(`${name} is ${stopped}, not healthy`);
    } catch (err) {
      // What a reader needs to see why: the last healthcheck failure and the container's log tail.
      const logs = (await this.logs(name)).split('\n').slice(-30).join('\n');
      throw new Error(
        `${err instanceof Error ? err.message : err}\nlast healthcheck: ${lastCheck.slice(0, 500)}\n${name} log tail:\n${logs}`,
      );
    }
  }

  async state(name: string): Promise<string> {
    try {
      return (await podman(['inspect', '--format', '{{.State.Status}}', this.container(name)])).trim();
    } catch {
      return 'missing';
    }
  }

  async logs(name: string): Promise<string> {
    try {
      const { stdout, stderr } = await exec('podman', [...PODMAN_GLOBAL, 'logs', this.container(name)], {
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout + stderr;
    } catch (err) {
      return String(err);
    }
  }

  /** Runs `node -e script` inside `service`'s container (HTTP by container name on the network). */
  async nodeIn(service: string, script: string): Promise<string> {
    return podman(['exec', this.container(service), 'node', '-e', script], { timeoutMs: 60_000 });
  }

  async stop(service: string): Promise<void> {
    await podman(['stop', '-t', '5', this.container(service)]);
  }

  /** Resident memory of each container (MiB), from podman stats. */
  async memoryMiB(): Promise<Record<string, number>> {
    const out = await podman([
      'stats',
      '--no-stream',
      '--format',
      'json',
      ...this.started.map((n) => this.container(n)),
    ]);
    const rows = JSON.parse(out) as Array<{ name: string; mem_usage: string }>;
    const units: Record<string, number> = {
      B: 1 / 2 ** 20,
      kB: 1000 / 2 ** 20,
      KB: 1000 / 2 ** 20,
      MB: 1e6 / 2 ** 20,
      GB: 1e9 / 2 ** 20,
      KiB: 1 / 1024,
      MiB: 1,
      GiB: 1024,
    };
    const result: Record<string, number> = {};
    for (const row of rows) {
      const m = /^([\d.]+)\s*([A-Za-z]+)/.exec(row.mem_usage);
      if (m)
        result[row.name.slice(this.prefix.length + 1)] = Number(m[1]) * (units[m[2] as string] ?? Number.NaN);
    }
    return result;
  }

  async close(): Promise<void> {
    const containers = this.started.map((n) => this.container(n));
    if (containers.length) await podman(['rm', '-f', '-t', '2', ...containers]).catch(() => {});
    for (const v of this.volumes) await podman(['volume', 'rm', '-f', v]).catch(() => {});
    await podman(['network', 'rm', '-f', this.network]).catch(() => {});
  }
}

/** Size in MB (10^6 bytes, as `podman images` prints it) of an image. */
export async function imageSizeMB(ref: string): Promise<number> {
  return Number((await podman(['image', 'inspect', '--format', '{{.Size}}', ref])).trim()) / 1e6;
}
