#!/usr/bin/env node
// Packaging test: the packages as a consumer gets them. Builds the workspace, packs every publishable
// package with pnpm (workspace:* → real versions, root LICENSE added), checks each tarball's
// contents, then installs the tarballs with npm into temporary projects OUTSIDE the workspace:
//   1. sampler-only  — @dtl/sampler (+ core, kernels): installed size;
//   2. library       — core, kernels, data, eval, models, sampler: typecheck strict (`skipLibCheck:
//                      false`, NodeNext, no tfjs installed) and run scripts/pack-test/pick-and-mix.ts
//                      (MF + MixGCF → Recall@20, a custom sampler and a custom judge);
//   3. cli           — @dtl/app and everything: `dtl --version`, `dtl --help` time, a tiny
//                      train + report, the tfjs-less error, `--json` errors; installed size;
//   4. cli + GGUF    — only with --gguf: adds node-llama-cpp@3.21.1 and reports the size.
// Prints a markdown summary and writes it as JSON to --out FILE when given.
// Usage: node scripts/pack-test.mjs [--gguf] [--keep] [--out results.json] [--no-build]
// Needs Node 20, npm, pnpm (the root devDependency: run it through `pnpm exec` / npm scripts) and the
// npm registry for the third-party dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
// better-sqlite3 builds against the local Node headers when they are installed (no header download).
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

function log(line) {
  process.stderr.write(`[pack-test] ${line}\n`);
}

function run(cmd, argv, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, argv, { cwd: opts.cwd ?? ROOT, env, encoding: 'utf8', stdio: opts.capture ? 'pipe' : ['ignore', 2, 2], maxBuffer: 64 << 20 });
  const seconds = (Date.now() - started) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0 && !opts.allowFail) {
    if (opts.capture) process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
    throw new Error(`pack-test: \`${cmd} ${argv.join(' ')}\` (in ${opts.cwd ?? ROOT}) exited ${r.status}`);
  }
  return { ...r, seconds };
}

function fail(message) {
  throw new Error(`pack-test: ${message}`);
}

/** Installed size in MB (`du -sk`), as a consumer's disk sees it. */
function sizeMb(dir) {
  const out = execFileSync('du', ['-sk', dir], { encoding: 'utf8' });
  return Math.round(Number(out.split('\t')[0]) / 1024 * 10) / 10;
}

function publishable() {
  const dirs = [...readdirSync(join(ROOT, 'packages')).map((d) => join('packages', d)), 'apps/dtl'];
  return dirs
    .filter((d) => existsSync(join(ROOT, d, 'package.json')))
    .map((d) => ({ dir: d, pkg: JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}

const work = mkdtempSync(join(tmpdir(), 'dtl-pack-test-'));
const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
const results = { sizesMb: {}, seconds: {} };

try {
  if (!flag('--no-build')) {
    log('building (turbo run build)');
    results.seconds.build = run('pnpm', ['run', 'build']).seconds;
  }

  // ---- pack --------------------------------------------------------------------------------
  const packages = publishable();
  if (packages.some(({ pkg }) => pkg.name === '@dtl/examples')) fail('@dtl/examples must be private');
  const tarballs = {};
  for (const { dir, pkg } of packages) {
    const r = run('pnpm', ['pack', '--pack-destination', tarDir], { cwd: join(ROOT, dir), capture: true });
    const file = readdirSync(tarDir).find((f) => f.startsWith(pkg.name.replace('@', '').replace('/', '-') + '-') && f.endsWith('.tgz') && !Object.values(tarballs).includes(join(tarDir, f)));
    if (!file) fail(`no tarball for ${pkg.name} (pnpm pack said: ${r.stdout.trim()})`);
    tarballs[pkg.name] = join(tarDir, file);
    const listing = execFileSync('tar', ['tzf', tarballs[pkg.name]], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const bad = listing.filter((f) => /\.test\.[cm]?[jt]s$|\/__tests__\/|^package\/src\/|\.map$/.test(f));
    if (bad.length) fail(`${pkg.name}'s tarball ships tests, sources or source maps: ${bad.slice(0, 5).join(', ')}`);
    const entry = pkg.bin ? 'package/dist/bin.js' : 'package/dist/index.js';
    for (const need of ['package/package.json', 'package/README.md', 'package/LICENSE', entry]) {
      if (!listing.includes(need)) fail(`${pkg.name}'s tarball lacks ${need.slice('package/'.length)}`);
    }
    const manifest = execFileSync('tar', ['xzfO', tarballs[pkg.name], 'package/package.json'], { encoding: 'utf8' });
    if (manifest.includes('workspace:')) fail(`${pkg.name}'s packed package.json still has a workspace: range`);
    log(`packed ${pkg.name}: ${listing.length} files`);
  }

  /** A fresh npm project outside the workspace with the given tarballs installed. */
  function project(name, names) {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `pack-test-${name}`, private: true, type: 'module' }, null, 2));
    const r = run('npm', ['install', '--no-package-lock', '--loglevel=error', ...names.map((n) => tarballs[n] ?? fail(`no tarball for ${n}`))], { cwd: dir });
    results.seconds[`install:${name}`] = r.seconds;
    // The tarballs must have satisfied each other: no @dtl package may come from the registry.
    for (const n of readdirSync(join(dir, 'node_modules', '@dtl'))) {
      const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', '@dtl', n, 'package.json'), 'utf8'));
      if (!pkg.version || !tarballs[`@dtl/${n}`]) fail(`${name}: @dtl/${n} did not come from a tarball`);
    }
    return dir;
  }

  // ---- 1. sampler only ------------------------------------------------------------------------
  log('installing @dtl/sampler alone');
  const samplerOnly = project('sampler-only', ['@dtl/core', '@dtl/kernels', '@dtl/sampler']);
  results.sizesMb['sampler-only'] = sizeMb(join(samplerOnly, 'node_modules'));

  // ---- 2. library: strict typecheck + the pick-and-mix program --------------------------------
  log('installing the library packages (core, kernels, data, eval, models, sampler)');
  const lib = project('library', ['@dtl/core', '@dtl/kernels', '@dtl/data', '@dtl/eval', '@dtl/models', '@dtl/sampler']);
  results.sizesMb.library = sizeMb(join(lib, 'node_modules'));
  if (existsSync(join(lib, 'node_modules', '@tensorflow'))) fail('the library install pulled in @tensorflow (it must stay an optional peer)');
  // The consumer's own tools (not counted in the size above).
  run('npm', ['install', '--no-package-lock', '--loglevel=error', 'typescript@5.9.3', '@types/node@^20.19.0', 'tsx@4.23.15'], { cwd: lib });
  cpSync(join(ROOT, 'scripts/pack-test/pick-and-mix.ts'), join(lib, 'pick-and-mix.ts'));
  // Every main entry point's types, imported by a consumer without tfjs.
  writeFileSync(
    join(lib, 'entries.ts'),
    ["import * as core from '@dtl/core';", "import * as kernels from '@dtl/kernels';", "import * as data from '@dtl/data';", "import * as evaluation from '@dtl/eval';", "import * as models from '@dtl/models';", "import * as sampler from '@dtl/sampler';", 'export const all = [core, kernels, data, evaluation, models, sampler];', ''].join('\n'),
  );
  const strict = { strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: ['node'], noEmit: true };
  writeFileSync(join(lib, 'tsconfig.json'), JSON.stringify({ compilerOptions: strict, include: ['*.ts'] }, null, 2));
  log('typechecking the consumer program (strict, skipLibCheck: false, no tfjs)');
  results.seconds.typecheck = run(join(lib, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: lib }).seconds;
  // The tfjs subpaths do need tfjs: without it their types must fail (proves the check above looks at .d.ts files).
  writeFileSync(join(lib, 'tfjs-entry.mts'), "import { createTwoTowerModel } from '@dtl/models/tfjs';\nexport const f = createTwoTowerModel;\n");
  writeFileSync(join(lib, 'tsconfig.tfjs.json'), JSON.stringify({ compilerOptions: strict, files: ['tfjs-entry.mts'] }, null, 2));
  const tfjsCheck = run(join(lib, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.tfjs.json'], { cwd: lib, capture: true, allowFail: true });
  if (tfjsCheck.status === 0 || !/@tensorflow\/tfjs/.test(tfjsCheck.stdout)) fail(`@dtl/models/tfjs typechecked without tfjs installed:\n${tfjsCheck.stdout}`);
  log('running the pick-and-mix program');
  const pick = run(process.execPath, ['--import', 'tsx', 'pick-and-mix.ts'], { cwd: lib, capture: true });
  results.pickAndMix = JSON.parse(pick.stdout.trim().split('\n').at(-1));
  results.seconds.pickAndMix = pick.seconds;

  // ---- 3. the CLI -----------------------------------------------------------------------------
  log('installing the CLI (@dtl/app and every package; better-sqlite3 builds natively)');
  const cli = project('cli', Object.keys(tarballs));
  results.sizesMb.cli = sizeMb(join(cli, 'node_modules'));
  for (const heavy of ['node-llama-cpp', '@tensorflow/tfjs', '@tensorflow/tfjs-node']) {
    if (existsSync(join(cli, 'node_modules', heavy))) fail(`the CLI install pulled in ${heavy} (it must stay optional)`);
  }
  const dtl = join(cli, 'node_modules/.bin/dtl');
  const dtlRun = (...a) => run(dtl, a, { cwd: cli, capture: true, allowFail: true });
  const version = dtlRun('--version');
  const appVersion = JSON.parse(readFileSync(join(ROOT, 'apps/dtl/package.json'), 'utf8')).version;
  if (version.status !== 0 || version.stdout.trim() !== appVersion) fail(`dtl --version printed "${version.stdout.trim()}" (exit ${version.status}), expected ${appVersion}`);
  dtlRun('--help'); // warm the file cache
  const helpTimes = [];
  for (let i = 0; i < 5; i++) {
    const h = dtlRun('--help');
    if (h.status !== 0 || !h.stdout.includes('Usage: dtl')) fail(`dtl --help failed: ${h.stderr}`);
    helpTimes.push(h.seconds);
  }
  helpTimes.sort((a, b) => a - b);
  results.seconds.helpMedian = helpTimes[2];
  const synth = dtlRun('data', 'synth', '--out', 'synth', '--preset', 'tiny', '--json');
  if (synth.status !== 0) fail(`dtl data synth failed:\n${synth.stderr}`);
  const trained = dtlRun('train', '--data', 'synth', '--out', 'run-mf', '--model', 'mf', '--sampler', 'mixgcf', '--epochs', '4', '--eval-every', '2', '--json');
  if (trained.status !== 0) fail(`dtl train failed:\n${trained.stderr}`);
  const trainResult = JSON.parse(trained.stdout.trim().split('\n').at(-1));
  results.cliTrain = trainResult.test ?? trainResult;
  const report = dtlRun('report', 'run-mf', '--json');
  if (report.status !== 0 || !existsSync(join(cli, 'run-mf', 'report.html'))) fail(`dtl report failed:\n${report.stderr}`);
  // tfjs is optional: the two-tower model says which package to install, as a JSON error.
  const tower = dtlRun('train', '--data', 'synth', '--out', 'run-tt', '--model', 'two-tower', '--epochs', '1', '--json');
  const towerError = JSON.parse(tower.stdout.trim().split('\n').at(-1) || '{}');
  if (tower.status === 0 || !towerError.error || !/@tensorflow\/tfjs/.test(towerError.error.message)) fail(`two-tower without tfjs: expected a JSON error naming @tensorflow/tfjs, got exit ${tower.status}: ${tower.stdout}${tower.stderr}`);
  results.tfjsMissing = towerError.error;
  const usage = dtlRun('train', '--no-such-option', '--json');
  const usageError = JSON.parse(usage.stdout.trim().split('\n').at(-1) || '{}');
  if (usage.status === 0 || !usageError.error?.code) fail(`a usage error under --json did not end stdout with {"error":…}: ${usage.stdout}`);

  // ---- 4. with the GGUF judge ----------------------------------------------------------------
  if (flag('--gguf')) {
    log('adding node-llama-cpp@3.21.1 to the CLI install');
    results.seconds['install:gguf'] = run('npm', ['install', '--no-package-lock', '--loglevel=error', 'node-llama-cpp@3.21.1'], { cwd: cli }).seconds;
    results.sizesMb['cli+gguf'] = sizeMb(join(cli, 'node_modules'));
  }

  const rows = [
    ['sampler-only (@dtl/core + kernels + sampler)', results.sizesMb['sampler-only']],
    ['library (core, kernels, data, eval, models, sampler)', results.sizesMb.library],
    ['CLI (@dtl/app, no GGUF judge, no tfjs)', results.sizesMb.cli],
    ...(results.sizesMb['cli+gguf'] !== undefined ? [['CLI + node-llama-cpp (GGUF judge)', results.sizesMb['cli+gguf']]] : []),
  ];
  const summary = [
    '| install | node_modules (MB, du -sk) |',
    '|---|---|',
    ...rows.map(([name, mb]) => `| ${name} | ${mb} |`),
    '',
    `pick-and-mix (MF, 30 epochs, tiny preset): Recall@20 uniform ${results.pickAndMix.baseline.toFixed(4)}, MixGCF ${results.pickAndMix.mixgcf.toFixed(4)}, custom same-branch sampler ${results.pickAndMix.sameBranch.toFixed(4)}, MixGCF with the custom judge's ${results.pickAndMix.flagged} flagged items excluded ${results.pickAndMix.withJudge.toFixed(4)}`,
    `dtl --help (installed CLI, median of 5): ${results.seconds.helpMedian.toFixed(2)} s; all runs: ${helpTimes.map((t) => t.toFixed(2)).join(', ')} s`,
    `install times (s): ${Object.entries(results.seconds).filter(([k]) => k.startsWith('install:')).map(([k, v]) => `${k.slice(8)} ${v.toFixed(0)}`).join(', ')}`,
  ].join('\n');
  console.log(summary);
  const out = option('--out');
  if (out) writeFileSync(resolve(out), JSON.stringify({ ...results, helpTimes }, null, 2) + '\n');
  log('passed');
} finally {
  if (flag('--keep')) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
