// The documentation as a reader uses it: README stays short, every link leads somewhere, the
// generated runners.yaml reference matches the schema, and every command block marked
// `sh runnable` runs (bash, `set -e`) against the fake GitLab with the bundled `runnerform` on
// PATH; every `yaml runnable` block is a runners.yaml that `runnerform validate` accepts.
// `https://gitlab.example.com` and `glpat-…` in a block stand for the fake's URL and token.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import type { Seed } from '../fake-gitlab/seed.js';
import { CLI, secretsIn, tempDir } from '../e2e/harness.js';

const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Pages other engineers write in parallel branches: linked before they land (none at the moment). */
const WRITTEN_ELSEWHERE = new Set<string>();

interface Block {
  page: string;
  line: number;
  lang: string;
  flags: string[];
  text: string;
}

export function blocks(page: string): Block[] {
  const out: Block[] = [];
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  let open: Omit<Block, 'text'> | null = null;
  let body: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (open && line.startsWith('```')) {
      out.push({ ...open, text: body.join('\n') + '\n' });
      open = null;
    } else if (open) {
      body.push(line);
    } else {
      const fence = /^```(\S*)\s*(.*)$/.exec(line);
      if (!fence) continue;
      open = { page, line: i + 1, lang: fence[1] ?? '', flags: (fence[2] ?? '').split(/\s+/).filter(Boolean) };
      body = [];
    }
  }
  // a block left open runs to the end of the page
  if (open) out.push({ ...open, text: body.join('\n') + '\n' });
  return out;
}

const seed = JSON.parse(readFileSync(join(root, 'test/fixtures/seeds/demo.json'), 'utf8')) as Seed;
const TOKEN = seed.tokens.find((t) => t.user === 'platform-owner')!.token;

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((ok, fail) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, out }));
  });
}

describe('README', () => {
  it('is at most 250 lines', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('shows the include: - component: lines of the CI/CD component', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/include:\n {2}- component: \S+\/runnerform@/);
  });
});

describe('links', () => {
  it.each(pages)('%s: every relative link resolves', (page) => {
    const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    const broken: string[] = [];
    for (const [, href] of text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)) {
      if (href === undefined || /^[a-z]+:/.test(href)) continue;
      const target = join(dirname(page), href);
      if (!existsSync(join(root, target)) && !WRITTEN_ELSEWHERE.has(target)) broken.push(href);
    }
    expect(broken).toEqual([]);
  });
});

describe('the runners.yaml reference', () => {
  it('is generated from the schema and up to date (scripts/reference.mjs --check)', () => {
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/reference.mjs'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});

// `sh install`: the install steps, which test/package/install.test.ts performs (pack, install the
// tarball, run it). `sh ci`: the quick start, which .ci/run performs (npm ci, npm test) and
// test/e2e/demo.test.ts (npm run demo).
describe('every shell block is run: here, by the package test or by CI', () => {
  it.each(pages)('%s', (page) => {
    const unmarked = blocks(page)
      .filter((b) => ['sh', 'bash', 'shell', 'console'].includes(b.lang) && !['runnable', 'install', 'ci'].some((f) => b.flags.includes(f)))
      .map((b) => `${page}:${b.line}`);
    expect(unmarked).toEqual([]);
  });
});

describe('runnable blocks', () => {
  let bin: string;
  beforeAll(() => {
    bin = tempDir('runnerform-docs-bin-');
    writeFileSync(join(bin, 'runnerform'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'runnerform'), 0o755);
  });
  // One directory and one fake per page: a page's blocks build on each other, in order.
  const runnablePages = pages.filter((p) => blocks(p).some((b) => b.flags.includes('runnable')));
  it('there are some', () => expect(runnablePages.length).toBeGreaterThanOrEqual(3));

  it.each(runnablePages)('%s: they run against the fake GitLab', async (page) => {
    const fake: FakeGitLab = await startFakeGitLab(seed);
    onTestFinished(() => fake.close());
    const dir = tempDir('runnerform-docs-');
    copyFileSync(join(root, 'runners.yaml'), join(dir, 'runners.yaml'));
    const env = { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, NO_COLOR: '1', GITLAB_URL: fake.url, GITLAB_TOKEN: TOKEN };
    for (const b of blocks(page).filter((x) => x.flags.includes('runnable'))) {
      if (b.lang === 'yaml') {
        mkdirSync(join(dir, 'yaml'), { recursive: true });
        writeFileSync(join(dir, 'yaml', 'runners.yaml'), b.text);
        const r = await bash('runnerform validate yaml/runners.yaml', dir, env);
        expect(r.out, `${page}:${b.line}`).toContain('Valid: yaml/runners.yaml');
        expect(r.code, `${page}:${b.line}`).toBe(0);
        continue;
      }
      const script = b.text.replaceAll('https://gitlab.example.com', fake.url).replaceAll('glpat-…', TOKEN);
      const r = await bash(script, dir, env);
      expect({ where: `${page}:${b.line}`, code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ where: `${page}:${b.line}`, code: 0, out: '' });
      expect(secretsIn(r.out)).toEqual([]);
    }
  }, 120_000);
});
