// What the built CLI really accepts, read from its --help output, and a small
// shell-word splitter for the script lines of a .gitlab-ci.yml.

export interface CommandSpec {
  name: string;
  /** Option spellings (`--out`, `-f`) → whether the option takes a value. */
  options: Map<string, boolean>;
  /** Positional arguments from the usage line: [name, required]. */
  args: [string, boolean][];
}

/** Command names listed under "Commands:" of `runnerform --help`. */
export function commandsFromHelp(help: string): string[] {
  return section(help, 'Commands')
    .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
}

/** Options and positional arguments of `runnerform CMD --help`. */
export function specFromHelp(name: string, help: string): CommandSpec {
  const options = new Map<string, boolean>();
  for (const line of section(help, 'Options')) {
    const m = /^ {2}(?:(-\w), )?(--[\w-]+)( [<[][\w.-]+[>\]])?/.exec(line);
    const long = m?.[2];
    if (!m || long === undefined) continue;
    const takesValue = m[3] !== undefined;
    options.set(long, takesValue);
    if (m[1]) options.set(m[1], takesValue);
  }
  const usage = /^Usage: \S+ \S+(.*)$/m.exec(help)?.[1] ?? '';
  const args = [...usage.matchAll(/([<[])([\w.-]+)[>\]]/g)].flatMap(([, bracket, arg]): [string, boolean][] =>
    arg === undefined || arg === 'options' ? [] : [[arg, bracket === '<']],
  );
  return { name, options, args };
}

/** The indented lines under a "Title:" heading, up to the next heading. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l === `${title}:`);
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    out.push(line);
  }
  return out;
}

/**
 * Splits one script line into simple commands (at ; && || | outside quotes),
 * each a list of words with quotes removed. `$VAR` stays literal.
 */
export function shellCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === ';' || c === '|' || c === '&') {
      if (line[i + 1] === c) i++;
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unbalanced quote in: ${line}`);
  endCommand();
  // Keywords that introduce a command inside if/for/while.
  return commands.map((w) => (['then', 'do', 'else', 'elif', 'if', '!'].includes(w[0] ?? '') ? w.slice(1) : w)).filter((w) => w.length > 0);
}

export interface Invocation {
  job: string;
  line: string;
  command: string;
  options: Map<string, string | true>;
  positionals: string[];
}

/**
 * Checks one `runnerform …` word list against the real CLI; returns the
 * problems (empty when every command, flag and argument exists).
 */
export function checkInvocation(
  words: string[],
  commands: Map<string, CommandSpec>,
): { problems: string[]; parsed: Omit<Invocation, 'job' | 'line'> | null } {
  const [bin, command, ...rest] = words;
  if (bin !== 'runnerform') return { problems: [`not a runnerform command: ${words.join(' ')}`], parsed: null };
  const spec = command ? commands.get(command) : undefined;
  if (command === undefined || !spec) return { problems: [`unknown command: runnerform ${command ?? ''}`], parsed: null };
  const problems: string[] = [];
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!; // i < rest.length
    if (!w.startsWith('-')) {
      positionals.push(w);
      continue;
    }
    const [flag, inline] = w.startsWith('--') && w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
    const takesValue = spec.options.get(flag);
    if (takesValue === undefined) {
      problems.push(`runnerform ${command}: unknown option ${flag}`);
      continue;
    }
    if (!takesValue) {
      if (inline !== undefined) problems.push(`runnerform ${command}: ${flag} takes no value`);
      options.set(flag, true);
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-'))) problems.push(`runnerform ${command}: ${flag} needs a value`);
    else options.set(flag, value);
  }
  const required = spec.args.filter(([, req]) => req).length;
  if (positionals.length < required) problems.push(`runnerform ${command}: missing argument ${spec.args[positionals.length]![0]}`);
  const variadic = spec.args.at(-1)?.[0].endsWith('...') ?? false;
  if (!variadic && positionals.length > spec.args.length) problems.push(`runnerform ${command}: unexpected argument ${positionals[spec.args.length]}`);
  return { problems, parsed: { command, options, positionals } };
}
