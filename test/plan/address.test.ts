import { describe, expect, it } from 'vitest';
import type { Scope } from '../../src/model.js';
import { escapeInvisible, formatAddress, formatScopeAddress, matchesTarget, parseTarget, quote } from '../../src/plan/address.js';
import { GROUP, INSTANCE, PROJECT } from './fixtures.js';

describe('addresses', () => {
  it('formats group, project and instance runner addresses', () => {
    expect(formatAddress(GROUP, 'docker-amd64')).toBe('group["acme/platform"].runner["docker-amd64"]');
    expect(formatAddress(PROJECT, 'api-e2e')).toBe('project["acme/platform/api"].runner["api-e2e"]');
    expect(formatAddress(INSTANCE, 'shared-large')).toBe('instance.runner["shared-large"]');
    expect(formatScopeAddress({ type: 'group', id: 7, path: null })).toBe('group[7]');
  });

  it('escapes descriptions as JSON strings, including terminal controls', () => {
    expect(formatAddress(GROUP, 'say "hi"\n\\')).toBe('group["acme/platform"].runner["say \\"hi\\"\\n\\\\"]');
    expect(formatAddress(GROUP, 'a\u001b[31mb\u009bc')).toBe('group["acme/platform"].runner["a\\u001b[31mb\\u009bc"]');
  });

  const tricky = ['docker-amd64', 'with "quotes" and ] brackets', 'new\nline', 'tab\tand \\ backslash', 'ünïcødé ✓', '', 'esc\u001b\u009b'];
  for (const [i, description] of tricky.entries()) {
    it(`round-trips description #${i} through parseTarget`, () => {
      for (const scope of [GROUP, PROJECT, INSTANCE]) {
        const target = parseTarget(formatAddress(scope, description));
        expect(target.description).toBe(description);
        expect(matchesTarget(target, scope, description)).toBe(true);
        expect(matchesTarget(target, scope, `${description}x`)).toBe(false);
      }
    });
  }

  it('parses scope addresses by path and by id', () => {
    expect(parseTarget('group["acme/platform"]')).toEqual({ type: 'group', path: 'acme/platform' });
    expect(parseTarget('  project[42] ')).toEqual({ type: 'project', id: 42 });
    expect(parseTarget('instance')).toEqual({ type: 'instance' });
    expect(parseTarget('group[10].runner["x"]')).toEqual({ type: 'group', id: 10, description: 'x' });
  });

  it('matches scopes by type, path (case-insensitively) or id', () => {
    const other: Scope = { type: 'group', id: 99, path: 'acme/platform-old' };
    expect(matchesTarget(parseTarget('group["ACME/Platform"]'), GROUP, 'anything')).toBe(true);
    expect(matchesTarget(parseTarget('group["acme/platform"]'), other, 'anything')).toBe(false);
    expect(matchesTarget(parseTarget('group[10]'), GROUP, 'r')).toBe(true);
    expect(matchesTarget(parseTarget('group[10]'), other, 'r')).toBe(false);
    expect(matchesTarget(parseTarget('project[10]'), GROUP, 'r')).toBe(false);
    expect(matchesTarget(parseTarget('instance'), INSTANCE, 'r')).toBe(true);
    expect(matchesTarget(parseTarget('instance'), GROUP, 'r')).toBe(false);
    expect(matchesTarget(parseTarget('group["acme/platform"].runner["R"]'), GROUP, 'r')).toBe(false);
  });

  const invalid: [string, RegExp][] = [
    ['acme/platform', /must start with group, project or instance/],
    ['docker-amd64', /must start with group/],
    ['group', /needs a path or id/],
    ['group[acme]', /"quoted string" or a numeric id/],
    ['group["acme"', /closing \] is missing/],
    ['group["acme', /not closed/],
    ['group[0]', /not a valid id/],
    ['group[""]', /path is empty/],
    ['instance["x"]', /instance takes no path/],
    ['group["a"].runner[3]', /named by its description/],
    ['group["a"].runners["x"]', /unexpected/],
    ['group["a"].runner["x"]extra', /unexpected "extra" after the runner/],
    ['group["a\\q"]', /not a valid JSON string/],
    ['groups["a"]', /must start with group/],
  ];
  for (const [input, why] of invalid) {
    it(`rejects ${input} with a helpful message`, () => {
      expect(() => parseTarget(input)).toThrow(why);
      expect(() => parseTarget(input)).toThrow(/expected a runner address like group\["acme\/platform"\]\.runner\["docker-amd64"\]/);
    });
  }
});

describe('invisible characters', () => {
  const tricky = 'evil\u202Edcba \u200B zero-width \u0085 next-line \u{E0041} tag';
  it('are escaped in addresses, which still parse back to the same runner', () => {
    const address = formatAddress(GROUP, tricky);
    expect(address).toBe('group["acme/platform"].runner["evil\\u202edcba \\u200b zero-width \\u0085 next-line \\udb40\\udc41 tag"]');
    expect(matchesTarget(parseTarget(address), GROUP, tricky)).toBe(true);
  });

  it('are escaped in rendered text, keeping tabs and newlines', async () => {
    const { printable } = await import('../../src/render/lines.js');
    expect(printable('a\u202Eb\tc\nd\u2028e')).toBe('a\\u202eb\tc\nd\\u2028e');
  });
});

describe('quote', () => {
  it('is JSON.stringify with invisible characters escaped, for every character class (its plain-ASCII shortcut included)', () => {
    // Every code unit below 0x3000 plus the surrogate and format ranges, alone and beside plain text.
    const units = [...Array(0x3000).keys(), 0xd800, 0xdfff, 0xfeff, 0xfff9, 0xffff].map((c) => String.fromCharCode(c));
    for (const u of units) {
      for (const s of [u, `plain-${u}`, `${u}text`]) expect(quote(s), JSON.stringify(s)).toBe(escapeInvisible(JSON.stringify(s)));
    }
    expect(quote('docker-amd64 [x] {y}')).toBe('"docker-amd64 [x] {y}"');
  });
});

