#!/usr/bin/env node
import { runCli } from './cli.ts';

runCli(process.argv).catch((error: unknown) => {
  // cli.ts prints DtlErrors itself; anything reaching here is a bug.
  console.error(error);
  process.exitCode = 1;
});
