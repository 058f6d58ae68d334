// Writes golden-training.json beside this file (see golden-runs.ts). Run from the repository root:
//   node --conditions=@dtl/source --import tsx packages/models/src/__tests__/write-golden.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allGoldenRuns } from './golden-runs.ts';

const runs = await allGoldenRuns();
writeFileSync(fileURLToPath(new URL('./golden-training.json', import.meta.url)), JSON.stringify(runs, null, 1) + '\n');
