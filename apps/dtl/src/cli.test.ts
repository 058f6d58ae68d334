import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appVersion, runCli, wantsJson } from './cli.ts';

const APP_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the CLI in this process, capturing what it writes to stdout and stderr. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    stderr += parts.map(String).join(' ') + '\n';
  });
  try {
    await runCli(['node', 'dtl', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  return { stdout, stderr, exitCode };
}

/** The last non-empty stdout line parsed as JSON. */
function lastJson(stdout: string): unknown {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return JSON.parse(lines.at(-1)!);
}

describe('dtl CLI: --version and errors under --json', () => {
  beforeEach(() => {
    process.exitCode = undefined;
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('--version and -V print the version from package.json and exit 0', async () => {
    expect(appVersion()).toBe(APP_VERSION);
    for (const flag of ['--version', '-V']) {
      const r = await cli(flag);
      expect(r.stdout.trim()).toBe(APP_VERSION);
      expect(r.exitCode).toBe(0);
    }
  });

  it('a DtlError under --json ends stdout with {"error":{code,message}} and exits 2', async () => {
    const r = await cli('data', 'stats', '--data', '/nonexistent/dtl-cli-test', '--json');
    expect(r.exitCode).toBe(2);
    const value = lastJson(r.stdout) as { error: { code: string; message: string } };
    expect(value.error.code).toBe('NOT_FOUND');
    expect(value.error.message).toContain('/nonexistent/dtl-cli-test');
    expect(Object.keys(value)).toEqual(['error']);
    expect(r.stderr).toContain('NOT_FOUND');
  });

  it('commander errors (unknown option, missing required option, bad choice, unknown command) are JSON too', async () => {
    const cases: Array<[string[], string]> = [
      [['data', 'stats', '--data', 'x', '--no-such-flag', '--json'], 'UNKNOWN_OPTION'],
      [['train', '--json'], 'MISSING_MANDATORY_OPTION_VALUE'],
      [['train', '--data', 'x', '--out', 'y', '--model', 'not-a-model', '--json'], 'INVALID_ARGUMENT'],
      [['no-such-command', '--json'], 'UNKNOWN_COMMAND'],
    ];
    for (const [args, code] of cases) {
      const r = await cli(...args);
      expect(r.exitCode, args.join(' ')).not.toBe(0);
      const value = lastJson(r.stdout) as { error: { code: string; message: string } };
      expect(value.error.code, args.join(' ')).toBe(code);
      expect(value.error.message.length).toBeGreaterThan(0);
      // Commander's own text still goes to stderr, never to stdout.
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
    }
  });

  it('without --json, errors print no JSON on stdout', async () => {
    const r = await cli('data', 'stats', '--data', '/nonexistent/dtl-cli-test');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('dtl: NOT_FOUND');
  });

  it('--help under --json is not an error', async () => {
    const r = await cli('--help', '--json');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain('"error"');
  });

  it('wantsJson stops at the -- terminator', () => {
    expect(wantsJson(['train', '--json'])).toBe(true);
    expect(wantsJson(['train', '--', '--json'])).toBe(false);
    expect(wantsJson(['train'])).toBe(false);
  });

  it('the real process: bin.ts --version, and a --json error as the last stdout line', () => {
    const bin = new URL('./bin.ts', import.meta.url).pathname;
    const run = (...args: string[]) => spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', bin, ...args], { encoding: 'utf8' });
    const version = run('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(APP_VERSION);
    const failed = run('no-such-command', '--json');
    expect(failed.status).not.toBe(0);
    expect((lastJson(failed.stdout) as { error: { code: string } }).error.code).toBe('UNKNOWN_COMMAND');
  });
});
