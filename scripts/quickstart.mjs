#!/usr/bin/env node
// `npm run quickstart`: installs the workspace and runs the whole DTL-NS pipeline on the embedded
// synthetic dataset (`dtl run`). Needs only Node 20 + npm: when pnpm 12.4.2 is not on PATH, the install
// runs through `npx pnpm@12.4.2`; the install then puts pnpm 12.4.2 (a root devDependency) in
// node_modules/.bin, where npm scripts — `npm test`, and turbo inside it — find it from then on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = '12.4.2';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
// Build native addons (better-sqlite3) against the local Node headers when they are installed, so
// no header download is needed.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: ROOT });
  if (r.error) {
    console.error(`quickstart: could not start ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** A pnpm command of the pinned version: the workspace's own, a matching one on PATH, else npx. */
function pnpmCommand() {
  const local = join(ROOT, 'node_modules', '.bin', 'pnpm');
  for (const candidate of [local, 'pnpm']) {
    const have = spawnSync(candidate, ['--version'], { encoding: 'utf8', env });
    if (have.status === 0 && have.stdout.trim() === PNPM) return [candidate];
  }
  return ['npx', '--yes', `pnpm@${PNPM}`];
}

const installer = pnpmCommand();
run(installer[0], [...installer.slice(1), 'install']);
const pnpm = pnpmCommand(); // after the install: node_modules/.bin/pnpm
run(pnpm[0], [...pnpm.slice(1), '--silent', 'dtl', 'run', ...process.argv.slice(2)]);
