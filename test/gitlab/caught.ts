// The error a call of the client rejects with: the test fails when the call succeeds or throws something else.
import { expect } from 'vitest';
import { GitLabError } from '../../src/gitlab/errors.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

/** The GitLabError `p` rejects with. */
export async function caught(p: Promise<unknown>): Promise<GitLabError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(GitLabError);
  return err as GitLabError;
}

/** The Error `p` rejects with, of any class. */
export async function caughtError(p: Promise<unknown>): Promise<Error> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}
