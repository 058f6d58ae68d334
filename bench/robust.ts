/**
 * What the hostile-input guards of issue 16 cost on real data:
 *   pnpm --silent bench robust [--data-root ../shared/data] [--repeat 5]
 * Per dataset: the dense-id check (checkIdDensity over train/valid/test) beside the whole loadDataset;
 * a checkpoint of MF (dim 64, params + Adam moments) of the dataset's size written and read with the
 * SHA-256 trailer, beside hashing alone; the run lock taken and released. Medians of --repeat runs.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIdDensity, loadDataset, readLightGcnFile } from '../packages/data/src/index.ts';
import { readCheckpoint, writeCheckpoint } from '../packages/models/src/index.ts';
import { acquireRunLock } from '../apps/dtl/src/run-lock.ts';

function arg(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function median(f: () => void, repeat: number): number {
  const ms: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

export async function main(args: readonly string[]): Promise<void> {
  const rootDir = arg(args, '--data-root') ?? '../shared/data';
  const repeat = Number(arg(args, '--repeat') ?? 5);
  const tmp = mkdtempSync(join(tmpdir(), 'bench-robust-'));
  const rows: string[] = [];
  for (const name of readdirSync(rootDir).sort()) {
    const dir = join(rootDir, name);
    if (!existsSync(join(dir, 'train.txt'))) continue;
    const lists = ['train.txt', 'valid.txt', 'test.txt'].filter((f) => existsSync(join(dir, f))).map((f) => readLightGcnFile(join(dir, f), { allowEmpty: true }));
    const { data } = loadDataset(dir);
    const load = median(() => loadDataset(dir), repeat);
    const density = median(() => {
      checkIdDensity(lists, 'user', data.nUsers);
      checkIdDensity(lists, 'item', data.nItems);
    }, repeat);
    const n = (data.nUsers + data.nItems) * 64;
    const tensors = { 'embeddings.0': new Float32Array(n).fill(0.5), 'adam.m': new Float32Array(n), 'adam.v': new Float32Array(n), 'best.embeddings.0': new Float32Array(n) };
    const file = join(tmp, `${name}.bin`);
    const write = median(() => writeCheckpoint(file, { meta: { epoch: 1 }, tensors }), repeat);
    const read = median(() => readCheckpoint(file), repeat);
    const hash = median(() => {
      const h = createHash('sha256');
      for (const t of Object.values(tensors)) h.update(new Uint8Array(t.buffer));
      h.digest();
    }, repeat);
    const lock = median(() => acquireRunLock(tmp).release(), repeat);
    rows.push(`| ${name} | ${data.nUsers} × ${data.nItems} | ${load.toFixed(1)} | ${density.toFixed(2)} | ${((16 * n) / 2 ** 20).toFixed(1)} | ${write.toFixed(1)} | ${read.toFixed(1)} | ${hash.toFixed(1)} | ${lock.toFixed(2)} |`);
  }
  rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(
    [
      `medians of ${repeat} runs (ms)`,
      '',
      '| dataset | users × items | loadDataset | dense-id check | checkpoint MB | write ckpt | read ckpt | of which SHA-256 | lock + release |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}
