import { Command, CommanderError } from 'commander';
import { isDtlError } from '@dtl/core';
import { registerCommands } from './commands/index.ts';

/** Builds the `dtl` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('dtl')
    .description('DTL-NS: dual-tree LLM-enhanced negative sampling for implicit-feedback recommenders')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (isDtlError(error)) {
      console.error(`dtl: ${error.code}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}
