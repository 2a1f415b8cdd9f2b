import type { Command } from 'commander';

export function registerEsCommands(_program: Command): void {
  // Filled in by the module that owns these commands.
}
