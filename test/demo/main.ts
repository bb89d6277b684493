// `npm run demo`: the whole product in under a minute, on a fake GitLab seeded
// with a small organisation (runners already there, one drifted, one hand-made).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLOR_MODES, colorEnabled, type ColorMode } from '../../src/cli/color.js';
import { startFakeGitLab } from '../fake-gitlab/server.js';
import type { Seed } from '../fake-gitlab/seed.js';

const root = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/demo → repo root
const cli = join(root, 'dist/src/cli/main.js');
const seed = JSON.parse(readFileSync(join(root, 'test/fixtures/seeds/demo.json'), 'utf8')) as Seed;
const owner = ((): Seed['tokens'][number] => {
  const t = seed.tokens.find((t) => t.user === 'platform-owner') ?? seed.tokens[0];
  if (!t) throw new Error('test/fixtures/seeds/demo.json has no token');
  return t;
})();

/** `npm run demo -- --color always|never|auto` (or FORCE_COLOR / NO_COLOR), decided as the CLI decides. */
function colorMode(argv: string[]): ColorMode {
  const i = argv.findIndex((a) => a === '--color' || a.startsWith('--color='));
  const flag = argv[i];
  if (argv.includes('--no-color')) return 'never';
  if (flag === undefined) return 'auto';
  const value = flag.includes('=') ? flag.slice('--color='.length) : argv[i + 1];
  if (value === undefined || !(COLOR_MODES as readonly string[]).includes(value)) throw new Error(`--color must be one of ${COLOR_MODES.join(', ')}`);
  return value as ColorMode;
}

const color = colorEnabled(colorMode(process.argv.slice(2)), process.stdout, process.env);
const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s);

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`\n${bold(`$ runnerform ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const fake = await startFakeGitLab(seed);
  const tokensOut = join(mkdtempSync(join(tmpdir(), 'runnerform-demo-')), 'runner-tokens.json');
  const env: NodeJS.ProcessEnv = { ...process.env, GITLAB_URL: fake.url, GITLAB_TOKEN: owner.token };
  delete env.CI_SERVER_URL;
  // The commands print to this terminal: they colour exactly when the demo does.
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  if (color) env.FORCE_COLOR = '1';
  else env.NO_COLOR = '1';
  console.log(`Fake GitLab with the "acme" organisation listening on ${fake.url} (token of user ${owner.user}).`);
  try {
    const steps: [string[], number[]][] = [
      [['validate'], [0]],
      [['plan', '--detailed-exitcode'], [2]],
      [['apply', '--auto-approve', '--tokens-out', tokensOut], [0]],
      [['plan', '--detailed-exitcode'], [0]],
    ];
    for (const [args, expected] of steps) {
      const code = await run(args, env);
      if (!expected.includes(code)) {
        console.error(`\nDemo failed: \`runnerform ${args.join(' ')}\` exited ${code}, expected ${expected.join(' or ')}.`);
        return 1;
      }
    }
    console.log(`\nDemo complete. The new runners' tokens are in ${tokensOut} (mode 0600); they were never printed.`);
    return 0;
  } finally {
    await fake.close();
  }
}

process.exitCode = await main();
