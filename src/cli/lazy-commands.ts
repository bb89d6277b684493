// Which command modules a command line needs. Each is imported only when needed, so start-up
// does not pay for got, js-yaml or the validators when the command does not use them.
import type { Command } from 'commander';

type Register = (program: Command) => void;

/** In the order `runnerform --help` lists them. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./validate.js')).registerValidate,
  plan: async () => (await import('./plan.js')).registerPlan,
  show: async () => (await import('./show.js')).registerShow,
  apply: async () => (await import('./apply.js')).registerApply,
  rotate: async () => (await import('./rotate.js')).registerRotate,
  health: async () => (await import('./health.js')).registerHealth,
  export: async () => (await import('./export.js')).registerExport,
  schema: async () => (await import('./schema.js')).registerSchema,
  tokens: async () => (await import('./tokens.js')).registerTokens,
};

/** Global options that take a value in the next argument (`--color never`). */
const GLOBAL_WITH_VALUE = new Set(['--color']);

/** The first argument that is not a global option: the command name, if any. */
export function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!; // i < args.length: the loop's condition
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (a === '--') return args[i + 1];
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function commandsToLoad(args: string[]): Promise<Register[]> {
  const word = commandWord(args);
  const load = word === undefined || !Object.hasOwn(COMMANDS, word) ? undefined : COMMANDS[word];
  if (load) return [await load()];
  // `runnerform --version` needs no command; anything else may list or suggest them all.
  if (word === undefined && args.some((a) => a === '-V' || a === '--version')) return [];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}
