import { Command, CommanderError } from 'commander';
import { isDtlError } from '@dtl/core';
import { registerCommands } from './commands/index.ts';
import { appVersion } from './version.ts';

export { appVersion };

/** Builds the `dtl` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('dtl')
    .description('DTL-NS: dual-tree LLM-enhanced negative sampling for implicit-feedback recommenders')
    .version(appVersion(), '-V, --version', 'print the version of dtl')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** The error object printed as the last stdout line under `--json`. */
export interface JsonError {
  readonly error: { readonly code: string; readonly message: string };
}

/**
 * True when `--json` appears among the options (before a `--` terminator). Read from argv rather
 * than from the parsed options so that errors commander raises before any action runs (an unknown
 * option, a missing required option, an invalid choice) are reported as JSON too.
 */
export function wantsJson(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--json') return true;
  }
  return false;
}

/** Commander's codes (`commander.unknownOption`) as the app's upper-case vocabulary (`UNKNOWN_OPTION`). */
function commanderCode(error: CommanderError): string {
  const name = error.code.replace(/^commander\./, '');
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function firstLine(text: string): string {
  return text.replace(/^error:\s*/i, '').split('\n')[0]!.trim();
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const json = wantsJson(argv.slice(2));
  const printJson = (code: string, message: string): void => {
    const value: JsonError = { error: { code, message } };
    process.stdout.write(JSON.stringify(value) + '\n');
  };
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version are CommanderErrors with exit code 0: not errors.
      if (json && error.exitCode !== 0) printJson(commanderCode(error), firstLine(error.message));
      process.exitCode = error.exitCode;
      return;
    }
    if (isDtlError(error)) {
      console.error(`dtl: ${error.code}: ${error.message}`);
      if (json) printJson(error.code, error.message);
      process.exitCode = 2;
      return;
    }
    // Anything else is a bug: the stack goes to stderr, and scripts still get their one object.
    if (json) {
      console.error(error);
      printJson('INTERNAL', error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
