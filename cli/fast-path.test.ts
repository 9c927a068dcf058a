import { describe, expect, it } from 'vitest';
import { type CommandLoaders, matchCommand } from './fast-path.js';

const load = async () => ({ default: {} as never });
const COMMANDS: CommandLoaders = { 'tenant:list': load, 'tenant:get': load, status: load, 'rules:push': load };

describe('matchCommand', () => {
  it.each([
    { name: 'a topic command', argv: ['tenant', 'list'], want: { id: 'tenant:list', args: [] } },
    { name: 'with flags', argv: ['tenant', 'list', '-o', 'json'], want: { id: 'tenant:list', args: ['-o', 'json'] } },
    { name: 'with an argument', argv: ['tenant', 'get', 'acme'], want: { id: 'tenant:get', args: ['acme'] } },
    { name: 'a top-level command', argv: ['status', '--json'], want: { id: 'status', args: ['--json'] } },
    { name: 'the colon form', argv: ['tenant:list'], want: { id: 'tenant:list', args: [] } },
    {
      name: 'help after -- is an argument',
      argv: ['rules', 'push', '--', '--help'],
      want: { id: 'rules:push', args: ['--', '--help'] },
    },
    { name: 'a flag before the command words', argv: ['--json', 'tenant', 'list'], want: undefined },
    { name: '--help goes to oclif', argv: ['tenant', 'list', '--help'], want: undefined },
    { name: '-h goes to oclif', argv: ['tenant', 'get', 'acme', '-h'], want: undefined },
    { name: '--version goes to oclif', argv: ['status', '--version'], want: undefined },
    { name: 'a topic alone goes to oclif', argv: ['tenant'], want: undefined },
    { name: 'an unknown command goes to oclif', argv: ['tenant', 'lst'], want: undefined },
    { name: 'server is not bundled', argv: ['server', '--dev'], want: undefined },
    { name: 'nothing', argv: [], want: undefined },
    { name: 'inherited keys are not commands', argv: ['constructor'], want: undefined },
  ])('$name', ({ argv, want }) => {
    expect(matchCommand(argv, COMMANDS)).toEqual(want);
  });
});
