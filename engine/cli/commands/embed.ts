import type { Command } from 'commander';

export function registerEmbedCommands(_program: Command): void {
  // Filled in by the module that owns these commands.
}
