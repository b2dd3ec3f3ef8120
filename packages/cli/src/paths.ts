import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (this file lives in packages/cli/src/). */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export interface VarLayout {
  readonly varDir: string;
  readonly logDir: string;
  readonly dataDir: string;
  readonly runDir: string;
  /** Written by the supervisor: its pid and its children; read by `stop` and `status`. */
  readonly stateFile: string;
  readonly adminTokenFile: string;
  /** This run's service credential (mode 0600, rewritten by every `vigil start`), for operators' direct calls. */
  readonly serviceTokenFile: string;
  /** The detached supervisor's own output. */
  readonly supervisorLog: string;
}

/** `--var-dir`, else VIGIL_VAR_DIR, else `<repo>/var`; relative paths resolve against the cwd. */
export function varLayout(option?: string, env: NodeJS.ProcessEnv = process.env): VarLayout {
  const varDir = resolve(option || env.VIGIL_VAR_DIR || resolve(repoRoot, 'var'));
  const runDir = resolve(varDir, 'run');
  const logDir = resolve(varDir, 'log');
  return {
    varDir,
    logDir,
    dataDir: resolve(varDir, 'data'),
    runDir,
    stateFile: resolve(runDir, 'vigil.json'),
    adminTokenFile: resolve(runDir, 'admin-token'),
    serviceTokenFile: resolve(runDir, 'service-token'),
    supervisorLog: resolve(logDir, 'vigil.log'),
  };
}

export function componentLog(layout: VarLayout, name: string): string {
  return resolve(layout.logDir, `${name}.log`);
}
