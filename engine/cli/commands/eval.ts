/**
 * Evaluation and tuning commands: `rwb eval`, `rwb tune`, `rwb judgments …`, `rwb experiments …`.
 */
import type { Command } from 'commander';
import { registerExperimentsCommands } from './eval-experiments.ts';
import { registerJudgmentsCommands } from './eval-judgments.ts';
import { registerEvalRunCommand } from './eval-run.ts';
import { registerTuneCommand } from './eval-tune.ts';

export function registerEvalCommands(program: Command): void {
  registerEvalRunCommand(program);
  registerTuneCommand(program);
  registerJudgmentsCommands(program);
  registerExperimentsCommands(program);
}
