/**
 * Benchmark dispatcher: `pnpm --silent bench <name> [args]` runs `bench/<name>.ts`, whose default
 * behaviour is to export `main(args: string[]): Promise<void>`. Benchmarks print markdown tables to
 * stdout; they are not tests and never assert on time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
// `pnpm bench` alone regenerates the performance table (bench/perf.ts).
const [name, ...args] = argv.length === 0 || argv[0]!.startsWith('--') ? ['perf', ...argv] : argv;
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
if (!name || !/^[\w-]+$/.test(name) || !existsSync(join(here, `${name}.ts`))) {
  process.stderr.write(`usage: pnpm --silent bench <name> [args]\navailable: ${available.join(', ')}\n`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { main?: (args: string[]) => Promise<void> };
if (typeof mod.main !== 'function') {
  process.stderr.write(`bench/${name}.ts does not export main(args)\n`);
  process.exit(2);
}
await mod.main(args);
