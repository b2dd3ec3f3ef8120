#!/usr/bin/env node
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a command may leave signal handlers or sockets that would keep Node alive.
process.exit(code);
