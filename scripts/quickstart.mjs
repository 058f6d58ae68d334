#!/usr/bin/env node
// `npm run quickstart`: installs the workspace (pnpm 12.4.2 via npx when it is not on PATH) and runs
// the whole DTL-NS pipeline on the embedded synthetic dataset (`dtl run`). Needs only Node 20 + npm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PNPM = '12.4.2';
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
// Build native addons (better-sqlite3) against the local Node headers when they are installed, so
// no header download is needed.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const have = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
const pnpm = have.status === 0 && have.stdout.trim() === PNPM ? ['pnpm'] : ['npx', '--yes', `pnpm@${PNPM}`];
run(pnpm[0], [...pnpm.slice(1), 'install']);
run(pnpm[0], [...pnpm.slice(1), '--silent', 'dtl', 'run', ...process.argv.slice(2)]);
