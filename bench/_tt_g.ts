import { loadTfjs } from '@dtl/kernels';
const { tf } = await loadTfjs();
const t = tf.randomNormal([3000, 64]);
const idx = tf.tensor1d(Int32Array.from({ length: 2048 }, (_, i) => (i * 7) % 3000), 'int32');
for (let r = 0; r < 3; r++) { const t0 = performance.now(); for (let i = 0; i < 20; i++) tf.tidy(() => tf.gather(t, idx).dataSync()); console.log('gather ms', (performance.now() - t0) / 20); }
const a = tf.randomNormal([3000, 64]); const w = tf.randomNormal([64, 64]);
for (const [ta, tb] of [[false,false],[true,false],[false,true]] as const) {
  const A = ta ? tf.transpose(a) : a; const W = w;
  const t0 = performance.now(); for (let i = 0; i < 10; i++) tf.tidy(() => (ta ? tf.matMul(A, a, true, false) : tf.matMul(A, W, false, tb)).dataSync()); console.log('matmul', ta, tb, (performance.now() - t0) / 10);
}
