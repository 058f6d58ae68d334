import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', bin, ...args], { encoding: 'utf8' });

describe('dtl run --data (one config, any dataset)', () => {
  it("overrides the config's data folder, before any work", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtl-run-data-'));
    const config = join(dir, 'run.yaml');
    writeFileSync(config, `data: ${join(dir, 'from-config')}\n`);
    const r = run('run', '--config', config, '--data', join(dir, 'from-flag'), '--out', join(dir, 'out'), '--json');
    expect(r.status).not.toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { error: { code: string; message: string } };
    expect(last.error.message).toContain('from-flag');
    expect(last.error.message).not.toContain('from-config');
  }, 60_000);
});
