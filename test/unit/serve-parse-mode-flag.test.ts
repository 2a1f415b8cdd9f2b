import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { parseModeFlag, registerServeCommands } from '../../engine/cli/commands/serve.ts';

describe('rwb serve --parse-mode', () => {
  it('accepts strict and lenient and leaves an absent flag to the bundle', () => {
    expect(parseModeFlag('strict')).toBe('strict');
    expect(parseModeFlag(' lenient ')).toBe('lenient');
    expect(parseModeFlag(undefined)).toBeUndefined();
  });

  it('refuses any other mode with a usage error naming the flag and the value', () => {
    expect(() => parseModeFlag('text')).toThrow('--parse-mode must be strict or lenient, got "text"');
    expect(() => parseModeFlag('STRICTLY')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('is listed in the help of rwb serve', () => {
    const program = new Command();
    registerServeCommands(program);
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    expect(serve.helpInformation()).toContain('--parse-mode <mode>');
  });
});
