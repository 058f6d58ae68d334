import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { generateSynthetic, writeLightGcnDataset } from '@dtl/data';
import { parsePipelineConfig } from './pipeline/config.ts';
import { runPipeline } from './pipeline/run-pipeline.ts';
import { RUN_LOCK_FILE, acquireRunLock, cleanStaleTempFiles, isPidAlive } from './run-lock.ts';

// Issue 16, classes 8 and 9: one process per run directory; leftovers of dead writers are cleaned.

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const root = mkdtempSync(join(tmpdir(), 'dtl-run-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const nodeArgs = ['--conditions=@dtl/source', '--import', 'tsx'];
/** A child that takes the lock of `dir`, prints "locked <pid>" and holds it until killed. */
const holderScript = join(root, 'hold.ts');
writeFileSync(
  holderScript,
  `import { acquireRunLock } from ${JSON.stringify(join(here, 'run-lock.ts'))};\n` +
    `try { acquireRunLock(process.argv[2]!); console.log('locked ' + process.pid); setInterval(() => {}, 1000); }\n` +
    `catch (e) { console.log('refused ' + (e as Error).message); process.exit(3); }\n`,
);

interface Run {
  child: ChildProcess;
  out: string;
  err: string;
  done: Promise<number | null>;
}
function start(args: string[]): Run {
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const run: Run = { child, out: '', err: '', done: Promise.resolve(null) };
  child.stdout!.on('data', (d: Buffer) => (run.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.err += d.toString()));
  run.done = new Promise((res) => child.on('exit', (code) => res(code)));
  return run;
}
async function until(run: Run, pattern: RegExp, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(run.out) && run.child.exitCode === null) {
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${pattern}: ${run.out} ${run.err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('run lock between real processes', () => {
  it('two processes race for one run directory: exactly one wins, the other names its pid', async () => {
    const dir = join(root, 'race');
    mkdirSync(dir);
    const a = start([holderScript, dir]);
    const b = start([holderScript, dir]);
    await Promise.all([until(a, /locked|refused/), until(b, /locked|refused/)]);
    await new Promise((r) => setTimeout(r, 200)); // let the loser print
    const [winner, loser] = /locked/.test(a.out) ? [a, b] : [b, a];
    expect(winner.out).toMatch(/^locked \d+/);
    expect(await loser.done).toBe(3);
    expect(loser.out).toContain(`in use by pid ${winner.child.pid} on ${hostname()}`);
    winner.child.kill('SIGKILL');
    await winner.done;
  }, 30_000);

  it('dtl train refuses a held run directory; after the holder is SIGKILLed it takes over, cleans its leftovers and releases', async () => {
    const data = join(root, 'data');
    writeLightGcnDataset(data, generateSynthetic({ preset: 'tiny', seed: 2 }).data);
    const dir = join(root, 'train-run');
    mkdirSync(dir);
    const holder = start([holderScript, dir]);
    await until(holder, /locked/);
    const dtl = ['apps/dtl/src/bin.ts', 'train', '--data', data, '--out', dir, '--epochs', '1', '--dim', '8', '--threads', '1', '--batch-size', '512'];
    const refused = start(dtl);
    expect(await refused.done).toBe(2);
    expect(refused.err).toMatch(new RegExp(`STATE_MISMATCH: .*run\\.lock: run directory .* is in use by pid ${holder.child.pid}`));
    expect(existsSync(join(dir, 'run.json'))).toBe(false);

    holder.child.kill('SIGKILL');
    await holder.done;
    const dead = holder.child.pid!;
    expect(isPidAlive(dead)).toBe(false);
    // What a checkpoint / JSON write killed midway leaves, plus one of a live process (this one).
    writeFileSync(join(dir, `checkpoint.bin.tmp-${dead}`), 'partial');
    mkdirSync(join(dir, 'embeddings'));
    writeFileSync(join(dir, 'embeddings', `user.txt.tmp-${dead}`), 'partial');
    writeFileSync(join(dir, `result.json.tmp-${process.pid}`), 'live writer');
    const ok = start(dtl);
    expect(await ok.done).toBe(0);
    expect(ok.out).toMatch(new RegExp(`took over the stale lock .*pid ${dead} .*is no longer running`));
    expect(ok.out).toMatch(/removed 2 leftover temporary file\(s\)/);
    expect(existsSync(join(dir, `checkpoint.bin.tmp-${dead}`))).toBe(false);
    expect(existsSync(join(dir, 'embeddings', `user.txt.tmp-${dead}`))).toBe(false);
    expect(existsSync(join(dir, `result.json.tmp-${process.pid}`))).toBe(true);
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
    expect(existsSync(join(dir, 'result.json'))).toBe(true);
  }, 60_000);
});

describe('run lock in process', () => {
  const fresh = (name: string): string => {
    const d = join(root, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  it('holds pid, host, start time and command; a second acquire is refused; release removes it', () => {
    const dir = fresh('basic');
    const lock = acquireRunLock(dir);
    const content = JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(content.started))).toBe(false);
    expect(() => acquireRunLock(dir)).toThrow(/already holds the lock/);
    lock.release();
    lock.release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
    acquireRunLock(dir).release();
  });

  it('dtl run (runPipeline) takes the lock of its run directory too, before any work', async () => {
    const dir = fresh('pipeline');
    writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'dtl run' }));
    const error = await runPipeline(parsePipelineConfig({ synthetic: { preset: 'tiny' } }), dir).catch((e: unknown) => e);
    expect(isDtlError(error, 'STATE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(`in use by pid ${process.ppid}`);
    expect(existsSync(join(dir, 'stages'))).toBe(false);
  });

  it('an --out that is a file is IO_ERROR naming it (dtl train and dtl run), not a raw EEXIST', async () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, '');
    const error = await runPipeline(parsePipelineConfig({}), join(file, 'sub')).catch((e: unknown) => e);
    expect(isDtlError(error, 'IO_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/not-a-dir\/sub: run directory exists and is not a directory/);
  });

  it('never takes over a lock from another host, and says how to clear it', () => {
    const dir = fresh('foreign');
    writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: '2026-01-01T00:00:00Z', command: 'dtl run' }));
    try {
      acquireRunLock(dir);
      expect.unreachable();
    } catch (e) {
      expect(isDtlError(e, 'STATE_MISMATCH')).toBe(true);
      expect((e as Error).message).toMatch(/pid 1 on elsewhere\.example .*another host.*delete .*run\.lock/);
    }
  });

  it('an unreadable lock is live while young and stale when old', () => {
    const dir = fresh('unreadable');
    const file = join(dir, RUN_LOCK_FILE);
    writeFileSync(file, '');
    expect(() => acquireRunLock(dir)).toThrow(/still writing the lock file/);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(file, old, old);
    const warnings: string[] = [];
    acquireRunLock(dir, { onWarn: (w) => warnings.push(w) }).release();
    expect(warnings.join('\n')).toMatch(/took over the stale lock .*unreadable/);
  });

  it('cleanStaleTempFiles removes only files of dead writers (and of this pid from before this process)', () => {
    const dir = fresh('tmp');
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never a live process
    writeFileSync(join(dir, `a.json.tmp-${deadPid}`), '');
    writeFileSync(join(dir, `report.html.${deadPid}.tmp`), '');
    writeFileSync(join(dir, `b.json.tmp-${process.pid}`), '');
    writeFileSync(join(dir, `old.json.tmp-${process.pid}`), '');
    const old = (Date.now() - 10 * 86_400_000) / 1000;
    utimesSync(join(dir, `old.json.tmp-${process.pid}`), old, old);
    writeFileSync(join(dir, 'notes.tmp-draft'), '');
    const removed = cleanStaleTempFiles(dir).map((p) => p.slice(dir.length + 1)).sort();
    expect(removed).toEqual([`a.json.tmp-${deadPid}`, `old.json.tmp-${process.pid}`, `report.html.${deadPid}.tmp`].sort());
    expect(existsSync(join(dir, `b.json.tmp-${process.pid}`))).toBe(true);
    expect(existsSync(join(dir, 'notes.tmp-draft'))).toBe(true);
  });
});
