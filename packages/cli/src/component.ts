/** What `vigil start` needs to know to run one process of the local stack. Declarative on purpose. */
export interface Component {
  /** Also the log file name (`var/log/<name>.log`) and the `service` label. */
  readonly name: string;
  /** Default main port; overridden by the env var `portEnv` (the child itself always receives PORT). */
  readonly port: number;
  readonly portEnv: string;
  /** Further ports this component binds, checked for being free like the main one (e.g. the hub's OTLP port). */
  readonly extraPorts?: readonly ExtraPort[];
  /** Env var under which every child receives this component's base URL (e.g. USER_SERVICE_URL). */
  readonly urlEnv?: string;
  /** Names that must be ready before this one starts. Ordering only: a skipped dependency does not block. */
  readonly after?: readonly string[];
  /** When the command's binary is missing, skip with a note instead of failing. */
  readonly optional?: boolean;
  /** Readiness deadline in ms (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** A reason to skip this component in this checkout (e.g. its entry file does not exist yet), or undefined. */
  skip?(ctx: StartContext): string | undefined;
  /** Runs before the process starts, e.g. to write config files under `ctx.varDir`. */
  prepare?(ctx: StartContext): void | Promise<void>;
  command(ctx: StartContext): ComponentCommand;
  /** Polled until it answers 2xx. */
  readyUrl(ctx: StartContext): string;
  /** Shown to the user; defaults to http://host:port. */
  url?(ctx: StartContext): string;
}

export interface ExtraPort {
  /** Key in `ctx.ports`: `<component>.<key>`, e.g. `hub.otlp`. */
  readonly key: string;
  readonly port: number;
  readonly env: string;
}

export interface ComponentCommand {
  /** A binary name looked up on PATH, or an absolute path. Use `ctx.node` for Node scripts. */
  readonly cmd: string;
  readonly args: readonly string[];
  /** Added to the common environment (see `childEnv`); wins over it. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface StartContext {
  /** Always 127.0.0.1: local mode binds loopback only. */
  readonly host: string;
  readonly repoRoot: string;
  /** `var/` (or --var-dir / VIGIL_VAR_DIR); logs in `<varDir>/log`, data in `<varDir>/data`. */
  readonly varDir: string;
  readonly dataDir: string;
  readonly logDir: string;
  /** The Node binary running the CLI (Node 24). */
  readonly node: string;
  /** Resolved port of every registered component by name, and extra ports as `<name>.<key>`. */
  readonly ports: Readonly<Record<string, number>>;
  /** Resolved port of the hub's OTLP receiver (HUB_OTLP_PORT, default 4318), whether or not the hub runs. */
  readonly otlpPort: number;
  /** Admin token handed to every child as VIGIL_ADMIN_TOKEN. */
  readonly adminToken: string;
  /**
   * The stack's service credential, handed to every child as VIGIL_SERVICE_TOKEN: services require it on
   * their internal routes. Random per `vigil start` (a restart rotates it), never written to disk.
   */
  readonly serviceToken?: string;
  /** The components being started in this run (after --only and skips), in start order. */
  readonly components: readonly Component[];
  /** Every registered component, started or not (their ports and URLs are still resolved). */
  readonly registered: readonly Component[];
  /** Port of a component (or `<name>.<key>` extra port); throws on an unknown name. */
  port(name: string): number;
}
