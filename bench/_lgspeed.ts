import { loadDataset } from '@dtl/data';
import { createLightGcnModel, createMfModel } from '@dtl/models';
import { createSyncTeam } from '@dtl/kernels';
import { createRnsSampler } from '@dtl/sampler';
import { createRng } from '@dtl/core';
const [dir, which, threadsArg] = process.argv.slice(2);
const { data } = loadDataset(dir!);
const team = createSyncTeam({ threads: Number(threadsArg ?? 1) });
const model = which === 'mf' ? createMfModel({ nUsers: data.nUsers, nItems: data.nItems, team }) : createLightGcnModel({ nUsers: data.nUsers, nItems: data.nItems, train: data.train, layers: 3, team });
const sampler = createRnsSampler();
const rng = createRng(1);
const B = 2048;
const users = new Int32Array(B), pos = new Int32Array(B);
for (let b = 0; b < B; b++) { const k = rng.int(data.train.indices.length); pos[b] = data.train.indices[k]!; let u = 0; while (data.train.indptr[u + 1]! <= k) u++; users[b] = u; }
let tf = 0, ts = 0, tt = 0;
for (let it = 0; it < 25; it++) {
  const a = performance.now(); model.forward(); const b = performance.now();
  const neg = sampler.sample({ users, positives: pos, k: 1, exclude: data.train, model, epoch: 1 }, rng); const c = performance.now();
  model.trainStep({ users, positives: pos, negatives: neg }); const d = performance.now();
  if (it >= 5) { tf += b - a; ts += c - b; tt += d - c; }
}
console.log(which, 'threads', threadsArg, 'forward', (tf / 20).toFixed(2), 'sample', (ts / 20).toFixed(2), 'step', (tt / 20).toFixed(2), 'ms/batch');
team.close();
