// Token detection and masking, shared by every output path.
import { describe, expect, it } from 'vitest';
import { looksLikeToken, redact, redactTokens } from '../src/secrets.js';

const TOKEN = 'glrt-t1_AbCdEfGhIjKlMnOpQrSt';
const PAT = 'glpat-AbCdEfGhIjKlMnOpQrSt';

describe('tokens glued to other text', () => {
  for (const text of [`TOKEN_${TOKEN}`, `url?t%3D${PAT}&x=1`, `t${PAT}`, `"${TOKEN}"`, `x=${TOKEN}.`]) {
    it(`are found and masked in ${JSON.stringify(text.replace(/-[A-Za-z0-9_]+/, '-…'))}`, () => {
      expect(looksLikeToken(text)).toBe(true);
      expect(redactTokens(text)).not.toMatch(/gl(rt|pat)-[A-Za-z0-9]/);
      expect(redact(text)).not.toMatch(/gl(rt|pat)-[A-Za-z0-9]/);
    });
  }

  it('leave words that only start like a token', () => {
    for (const word of ['glrt-sync', 'glpat-rotation', 'global-runners']) {
      expect(looksLikeToken(word)).toBe(false);
      expect(redactTokens(word)).toBe(word);
    }
  });
});
