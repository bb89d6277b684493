// docs/failure-model.md cannot lie: every fault class has a row, every row a proof, and
// every test a row names exists in the file it names, under that title. One form of proof
// only (`file` › `title`): anything else, a promise or a `file::title`, is not a proof.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = join(ROOT, 'docs', 'failure-model.md');

/** Every fault class issue 13 asks the model to cover: [class, words its "Fault" cell contains]. */
const REQUIRED: [string, string][] = [
  ['network', 'refused'],
  ['network', 'reset'],
  ['network', 'timeout'],
  ['network', '429'],
  ['network', '5xx'],
  ['network', 'lost answer'],
  ['network', 'redirect'],
  ['network', 'huge or hostile body'],
  ['process', 'SIGINT'],
  ['process', 'SIGTERM'],
  ['process', 'SIGHUP'],
  ['process', 'SIGKILL'],
  ['process', 'EPIPE'],
  ['process', 'crash between any two steps'],
  ['filesystem', 'ENOSPC'],
  ['filesystem', 'EIO'],
  ['filesystem', 'read-only'],
  ['filesystem', 'odd path types'],
  ['filesystem', 'concurrent writers'],
  ['filesystem', 'pid reuse'],
  ['GitLab', 'refusals'],
  ['GitLab', 'partial visibility'],
  ['GitLab', 'destinations that cannot be written'],
  ['secrets', 'echoed by a server'],
  ['secrets', 'plaintext at rest'],
];

/** The classes, grouped in this order. */
const CLASSES = ['network', 'process', 'filesystem', 'GitLab', 'secrets'];

interface Row {
  cls: string;
  fault: string;
  guarantee: string;
  proofs: string[];
}

/** The rows of the first table whose header starts with "| Class |". */
export function parseTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| Class |'));
  if (start < 0) return [];
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    // A short row keeps empty cells, which the checks below report as missing.
    const [cls = '', fault = '', guarantee = '', proof] = cells;
    rows.push({ cls, fault, guarantee, proofs: (proof ?? '').split('<br>').map((p) => p.trim()).filter(Boolean) });
  }
  return rows;
}

const PROOF = /^`([^`]+)` › `([^`]+)`$/;
const ESCAPED = /[.*+?^${}()|[\]\\]/g;

/** What is wrong with one proof: a file that does not exist, or a title it does not hold; null when it holds. */
export function checkProof(proof: string, root = ROOT): string | null {
  const [, file, title] = PROOF.exec(proof) ?? [];
  if (file === undefined || title === undefined) return `not a proof (\`file\` › \`title\`): ${proof}`;
  const path = join(root, file);
  if (!/^test\/.+\.test\.ts$/.test(file) || !existsSync(path)) return `no test file ${file}`;
  // Titles are string literals: compare with the escapes of the source undone. A title is the
  // first argument of a call (it, it.each(…), it.skipIf(…), describe), not any string.
  const source = readFileSync(path, 'utf8').replace(/\\(['"`])/g, '$1');
  const quoted = ["'", '"', '`'].some((q) => new RegExp(`\\(\\s*${q}${title.replace(ESCAPED, '\\$&')}${q}\\s*,`).test(source));
  return quoted ? null : `${file} has no test titled: ${title}`;
}

describe('docs/failure-model.md', () => {
  const rows = parseTable(readFileSync(DOC, 'utf8'));

  it('has a row for every fault class, each with a guarantee and at least one proof', () => {
    expect(rows.length).toBeGreaterThan(0);
    const missing = REQUIRED.filter(([cls, words]) => !rows.some((r) => r.cls === cls && r.fault.toLowerCase().includes(words.toLowerCase())));
    expect(missing).toEqual([]);
    for (const r of rows) {
      expect(r.guarantee, `${r.cls} / ${r.fault}`).not.toBe('');
      expect(r.proofs.length, `${r.cls} / ${r.fault}`).toBeGreaterThan(0);
    }
  });

  it('is one table, its classes grouped: network, process, filesystem, GitLab, secrets', () => {
    const order = rows.map((r) => r.cls).filter((c, i, all) => i === 0 || all[i - 1] !== c);
    expect(order).toEqual(CLASSES);
    expect(readFileSync(DOC, 'utf8').match(/^\| Class \|/gm)).toHaveLength(1);
  });

  it('says the tokens file is a secret, and links its page', () => {
    const row = rows.find((r) => r.cls === 'secrets' && /plaintext at rest/i.test(r.fault))!;
    expect(row.guarantee).toContain('](tokens-file.md)');
    expect(row.guarantee).toContain('runnerform tokens prune');
  });

  it('names only tests that exist, in the files it names', () => {
    const problems = rows.flatMap((r) => r.proofs.map((p) => checkProof(p))).filter((p) => p !== null);
    expect(problems).toEqual([]);
    // Most rows are proved here and now, not promised.
    expect(rows.flatMap((r) => r.proofs).filter((p) => PROOF.test(p)).length).toBeGreaterThanOrEqual(30);
  });

  it('the check itself fails on a title, a file or a form that is not there', () => {
    expect(checkProof('`test/e2e/process-faults.test.ts` › `says so in one line on stderr, finishes the apply and keeps every token, exit 1`')).toBeNull();
    expect(checkProof('`test/e2e/process-faults.test.ts` › `a test nobody wrote`')).toMatch(/has no test titled/);
    expect(checkProof('`test/e2e/process-faults.test.ts` › `says so in one line`')).toMatch(/has no test titled/); // a part of a title is not a title
    expect(checkProof('`test/nowhere.test.ts` › `anything`')).toMatch(/no test file/);
    expect(checkProof('`test/e2e/process-faults.test.ts` › `Error:`')).toMatch(/has no test titled/); // a string, not a title
    expect(checkProof('`test/gitlab/request-timeout.test.ts` › `a create fails after the request timeout, sent once, counted as maybe applied`')).toBeNull();
    expect(checkProof('`test/e2e/visibility.test.ts` › `a create whose answer is lost is recovered with exactly one runner (--api ${api})`')).toBeNull(); // a template title
    expect(checkProof('the soak proves it')).toMatch(/not a proof/);
    expect(checkProof('(fs) expected: a tokens file on a full tmpfs')).toMatch(/not a proof/);
    expect(checkProof('`test/e2e/process-faults.test.ts::says so in one line on stderr, finishes the apply and keeps every token, exit 1`')).toMatch(/not a proof/);
  });
});
