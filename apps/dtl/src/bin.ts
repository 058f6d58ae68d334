#!/usr/bin/env node
import nodeModule from 'node:module';
import { appVersion } from './version.ts';

// Startup: Node ≥ 22.1 can cache compiled code across runs (a no-op on Node 20, which lacks it).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Answered before the commands (and everything they import) are loaded.
  process.stdout.write(appVersion() + '\n');
} else {
  // Loaded after enableCompileCache, so the command modules benefit from the cache.
  const { runCli } = await import('./cli.ts');
  await runCli(process.argv).catch((error: unknown) => {
    // cli.ts prints DtlErrors itself; anything reaching here is a bug.
    console.error(error);
    process.exitCode = 1;
  });
}
