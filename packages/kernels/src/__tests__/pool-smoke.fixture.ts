// Spawned by worker-pool.test.ts under `node --import tsx`: runs tasks on two workers, then either
// closes the pool or forgets it; the process must exit by itself in both cases.
import { createWorkerPool } from '../worker-pool.ts';

const pool = createWorkerPool({ size: 2 });
const ids = await Promise.all([pool.run('ping', {}), pool.run('ping', {}), pool.run('ping', {})]);
process.stdout.write(`ok ${new Set(ids).size}\n`);
if (process.argv[2] === 'close') await pool.close();
