// Seconds per epoch of the two-tower model (tfjs adapter) on the synthetic presets.
// Usage: node --conditions=@dtl/source --import tsx bench/two-tower.ts [epochs=2] [dim=64] [batch=2048] [fast|plain]
// `plain` turns off the loader's wasm fast paths (transposed matMul, row gather) for comparison.
import { generateSynthetic } from '@dtl/data';
import { loadTfjs } from '@dtl/kernels/tfjs';
import { fit } from '@dtl/models';
import { createTwoTowerModel } from '@dtl/models/tfjs';

const epochs = Number(process.argv[2] ?? 2);
const dim = Number(process.argv[3] ?? 64);
const batchSize = Number(process.argv[4] ?? 2048);
const { tf, backend, skipped } = await loadTfjs({ wasmFastPaths: process.argv[5] !== 'plain' });
console.log(`tfjs backend: ${backend}${skipped.length ? ` (skipped: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : ''}`);
for (const preset of ['tiny', 'default'] as const) {
  const { data } = generateSynthetic({ preset });
  const model = createTwoTowerModel({ tf, nUsers: data.nUsers, nItems: data.nItems, dim });
  const r = await fit({
    model,
    train: data.train,
    epochs,
    batchSize,
    onEpoch: (e) => console.log(`  ${preset} epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(3)} s`),
  });
  const pairs = data.train.indices.length;
  console.log(`${preset}: ${data.nUsers} users × ${data.nItems} items, ${pairs} train pairs, dim ${dim}, batch ${batchSize}: ${r.secondsPerEpoch.toFixed(3)} s/epoch (${Math.ceil(pairs / batchSize)} steps)`);
  model.dispose();
}
