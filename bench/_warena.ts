import { tryCreateWasmArena } from '/work/main/packages/kernels/src/wasm-arena.ts';
const held: unknown[] = [];
let i = 0;
for (; i < 400; i++) { const a = tryCreateWasmArena(); if (!a) break; a.f32(1000); held.push(a); }
console.log('held arenas before failure:', i);
held.length = 0;
let fails = 0;
const t = performance.now();
for (let j = 0; j < 2000; j++) { const a = tryCreateWasmArena(); if (!a) fails++; else a.f32(1000); }
console.log('transient 2000: fails', fails, 'ms', (performance.now() - t).toFixed(0));
