import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hashPassword, parseUsersFile, ROLES, type Role, USER_NAME, type UsersFile } from '@vigil/hub/auth';
import { stringify } from 'yaml';
import { varLayout } from '../paths.ts';
import { usersFile } from '../users-file-path.ts';

export const usage = `usage: vigil user add <name> --role viewer|responder|admin [--password-stdin] [--var-dir <dir>]
       vigil user remove <name> [--var-dir <dir>]
       vigil user list [--var-dir <dir>]

Console users live in var/users.yaml (the hub's VIGIL_HUB_USERS_FILE) with scrypt password hashes;
the hub re-reads the file, so no restart is needed. 'add' replaces an existing user's role and
password. The password is read from standard input (--password-stdin, one line) or asked for
on the terminal without echo; it is never printed or logged. Minimum 12 characters.
Exit codes: 0 ok, 1 failed, 2 bad usage.`;

function load(file: string): UsersFile {
  return existsSync(file) ? parseUsersFile(readFileSync(file, 'utf8')) : { users: [] };
}

function save(file: string, data: UsersFile): void {
  const tmp = `${file}.tmp`;
  writeFileSync(
    tmp,
    `# Vigil console users — written by \`vigil user\`; hashes are scrypt.\n${stringify(data)}`,
    {
      mode: 0o600,
    },
  );
  renameSync(tmp, file);
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write('password: ');
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          process.stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  const file = usersFile(varLayout(values['var-dir']).varDir);
  let data: UsersFile;
  try {
    data = load(file);
  } catch (err) {
    console.error(`vigil user: ${file}: ${(err as Error).message}`);
    return 1;
  }
  if (action === 'list' && !name) {
    for (const u of data.users) console.log(`${u.name}\t${u.role}`);
    return 0;
  }
  if (!name || extra.length || !USER_NAME.test(name) || (action !== 'add' && action !== 'remove')) {
    console.error(usage);
    return 2;
  }
  if (action === 'remove') {
    const before = data.users.length;
    data.users = data.users.filter((u) => u.name !== name);
    if (data.users.length === before) {
      console.error(`vigil user: no user "${name}"`);
      return 1;
    }
    save(file, data);
    console.log(`removed ${name} from ${file}`);
    return 0;
  }
  if (!ROLES.includes(values.role as Role)) {
    console.error(`vigil user: --role must be one of ${ROLES.join(', ')}`);
    return 2;
  }
  const password = await readPassword(values['password-stdin'] ?? false);
  if (password.length < 12) {
    console.error('vigil user: the password must have at least 12 characters');
    return 1;
  }
  const entry = { name, role: values.role as Role, password_hash: await hashPassword(password) };
  data.users = [...data.users.filter((u) => u.name !== name), entry];
  save(file, data);
  console.log(`${name} (${entry.role}) written to ${file}`);
  return 0;
}
