import type { Command } from 'commander';

/**
 * Every `dtl` command lives in its own file exporting `register(program)`; add it to this list.
 * Keep one import per line so parallel work on different commands never conflicts.
 */
const registrations: Array<(program: Command) => void> = [
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
