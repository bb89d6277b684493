// The GraphQL reader and the REST reader, on every seed the suite has, read
// identical live states (the scopes and every runner they own, permissions
// included) and produce byte-identical plans in every format, but for one
// thing: GitLab's REST API never shows a runner's token expiry
// (lib/api/entities/ci/runner_details.rb), so the REST reader marks it hidden
// on every owned runner and its plans say once that expiry was not checked.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab/client.js';
import { readLiveState } from '../../src/gitlab/live.js';
import { readLiveStateGraphQL } from '../../src/gitlab/live-graphql.js';
import type { DesiredScope, DesiredState, LiveRunner, LiveState, Plan, ScopeRef } from '../../src/model.js';
import { DEFAULT_HEALTH } from '../../src/health/settings.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { ADMIN_TOKEN as E2E_ADMIN, OWNER_TOKEN as E2E_OWNER, e2eSeed } from '../e2e/harness.js';
import {
  ADMIN_TOKEN,
  BORROW_ADMIN_TOKEN,
  BORROWER_READ_API_TOKEN,
  BORROWER_TOKEN,
  BOTH_TOKEN,
  DEV_TOKEN,
  OWNER_TOKEN,
  READ_API_TOKEN,
  SUB_OWNER_TOKEN,
  baseSeed,
  borrowSeed,
  manyRunners,
} from './seeds.js';

let fake: FakeGitLab | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (f: FakeGitLab, token: string): GitLabClient =>
  createGitLabClient({ gitlabUrl: f.url, token, parallelism: 4, retry: { limit: 1, baseDelayMs: 5, maxDelayMs: 10 } });

const fixtureSeed = (name: string): Seed => JSON.parse(readFileSync(new URL(`../fixtures/seeds/${name}.json`, import.meta.url), 'utf8')) as Seed;

const g = (path: string): ScopeRef => ({ type: 'group', path });
const p = (path: string): ScopeRef => ({ type: 'project', path });
const INSTANCE: ScopeRef = { type: 'instance' };

/** A seed where one owned runner's note is hidden from a token that may read but not update it. */
function hiddenNoteSeed(): Seed {
  const seed = baseSeed([
    { id: 30, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-own', maintenance_note: 'ask the api team' },
    // Duplicates: two owned runners with one description.
    { id: 31, runner_type: 'group_type', group: 'acme/platform', description: 'platform-docker', maintenance_note: 'second copy' },
    // Paused and in contact: REST's deprecated status says `paused`, GraphQL says ONLINE with paused: true.
    { id: 32, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-paused', paused: true, status: 'online' },
    { id: 33, runner_type: 'project_type', projects: ['acme/platform/api'], description: 'api-offline', status: 'offline' },
  ]);
  seed.users.push({ id: 9, username: 'maja', groups: { 'acme/platform': 'maintainer' } });
  seed.tokens.push({ token: 'glpat-maja-0123456789abcdefXYZ', user: 'maja', scopes: ['read_api'] });
  return seed;
}

/** The parts of a live state the plan depends on: scopes and owned runners (visible ones differ by design: see README). */
const owned = (live: LiveState) => ({ gitlabUrl: live.gitlabUrl, scopes: live.scopes.map((s) => ({ ref: s.ref, scope: s.scope, owned: s.owned })) });

/** What the REST reader can know of a runner GraphQL read: everything but its token expiry. */
const withoutExpiry = (r: LiveRunner): LiveRunner => ({ ...r, token_expires_at: null, hidden: [...new Set([...(r.hidden ?? []), 'token_expires_at' as const])] });
const restView = (live: LiveState) => ({ ...live, scopes: live.scopes.map((s) => ({ ...s, owned: s.owned.map(withoutExpiry) })) });

/** The one warning only a REST plan has, naming the owned runners of its scopes. */
const REST_EXPIRY = /^token expiry of (1 runner|\d+ runners) not shown by GitLab's REST API: not checked \(no renewal, no expiry warning\); GitLab's GraphQL API shows it \(--api graphql\)$/;
const isRestExpiry = (w: Plan['warnings'][number]) => w.kind === 'hidden_fields' && REST_EXPIRY.test(w.message);

/** A desired state that updates, keeps, deletes (prune) and creates in every scope, from what REST read. */
function desiredFrom(live: LiveState): DesiredState {
  let line = 1;
  const pos = () => ({ file: 'runners.yaml', line: line++, column: 3 });
  const scopes: DesiredScope[] = live.scopes.map((s) => ({
    ref: s.ref,
    prune: true,
    source: pos(),
    runners: [
      ...s.owned.slice(0, -1).map((r, i) => ({
        description: r.description,
        attrs: i % 2 === 0 ? { tag_list: ['parity', ...r.attrs.tag_list], maintenance_note: 'managed' } : { paused: r.attrs.paused },
        source: pos(),
        token: null,
        renamed_from: [],
      })),
      { description: `new-${s.scope.path ?? 'instance'}`, attrs: { tag_list: ['fresh'] }, source: pos(), token: null, renamed_from: [] },
    ],
  }));
  return { files: ['runners.yaml'], scopes };
}

interface Case {
  name: string;
  seed: () => Seed;
  token: string;
  refs: ScopeRef[];
}

const CASES: Case[] = [
  {
    name: 'ancestors, subgroups, inherited runners (group owner)',
    seed: () => baseSeed(),
    token: OWNER_TOKEN,
    refs: [g('acme'), g('acme/platform'), { type: 'group', id: 12 }, p('acme/platform/web'), { type: 'project', id: 101 }],
  },
  {
    name: 'instance runners and every scope (administrator)',
    seed: () => baseSeed(),
    token: ADMIN_TOKEN,
    refs: [INSTANCE, g('acme'), g('acme/platform'), g('acme/platform/ci'), g('other'), p('acme/platform/web'), p('acme/platform/api'), p('acme/platform/ci/tools')],
  },
  {
    name: 'unreadable ancestor details (subgroup owner)',
    seed: () => baseSeed(),
    token: SUB_OWNER_TOKEN,
    refs: [g('acme/platform/ci'), p('acme/platform/web')],
  },
  { name: 'read_api token', seed: () => baseSeed(), token: READ_API_TOKEN, refs: [g('acme/platform'), p('acme/platform/api')] },
  { name: 'borrowed from an invisible project', seed: borrowSeed, token: BORROWER_TOKEN, refs: [p('team/b')] },
  { name: 'borrowed, read_api', seed: borrowSeed, token: BORROWER_READ_API_TOKEN, refs: [p('team/b')] },
  { name: 'runners enabled in two projects (maintainer of both)', seed: borrowSeed, token: BOTH_TOKEN, refs: [p('team/a'), p('team/b')] },
  { name: 'runners enabled in two projects (administrator)', seed: borrowSeed, token: BORROW_ADMIN_TOKEN, refs: [p('team/a'), p('team/b'), g('team')] },
  { name: 'e2e seed (owner)', seed: e2eSeed, token: E2E_OWNER, refs: [g('acme/platform'), g('acme/data'), p('acme/platform/api'), p('acme/tools/ci')] },
  { name: 'e2e seed (administrator)', seed: e2eSeed, token: E2E_ADMIN, refs: [INSTANCE, g('acme'), g('acme/platform'), p('acme/platform/api'), p('acme/tools/ci')] },
  {
    name: 'demo seed',
    seed: () => fixtureSeed('demo'),
    token: 'glpat-demo-owner-token-0000000',
    refs: [g('acme'), g('acme/platform'), g('acme/data'), p('acme/platform/api')],
  },
  { name: 'below Maintainer: the same missing-role error', seed: () => baseSeed(), token: DEV_TOKEN, refs: [g('acme/platform')] },
  { name: 'below Maintainer on a project: the same missing-role error', seed: () => baseSeed(), token: DEV_TOKEN, refs: [p('acme/platform/web')] },
  { name: 'instance runners without administrator access: the same missing-role error', seed: () => baseSeed(), token: OWNER_TOKEN, refs: [INSTANCE] },
  { name: 'duplicates, paused and offline runners (group owner)', seed: hiddenNoteSeed, token: OWNER_TOKEN, refs: [g('acme/platform'), p('acme/platform/api')] },
  {
    name: 'more than one page (250 runners in a group, paged by cursor)',
    seed: () => baseSeed(manyRunners('acme/platform/ci', 250, 1000)),
    token: OWNER_TOKEN,
    refs: [g('acme/platform/ci'), g('acme/platform')],
  },
];

async function both(c: Case): Promise<{ rest: LiveState | Error; graphql: LiveState | Error }> {
  fake = await startFakeGitLab(c.seed());
  const rest = await readLiveState(client(fake, c.token), c.refs).catch((e: Error) => e);
  const api = client(fake, c.token);
  const graphql = await readLiveStateGraphQL(api, api.graphql, c.refs).catch((e: Error) => e);
  return { rest, graphql };
}

describe('GraphQL and REST readers agree', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { rest, graphql } = await both(c);
      if (rest instanceof Error) {
        // Both refuse alike (same kind of error, same missing-role or not-found wording).
        expect(graphql).toBeInstanceOf(Error);
        expect((graphql as Error).message.replace(/ \(.*?\)/, '')).toBe(rest.message.replace(/ \(.*?\)/, ''));
        return;
      }
      if (graphql instanceof Error) throw graphql;
      expect(owned(restView(graphql))).toEqual(owned(rest));
      // Every owned runner carries what refusals need, from both readers.
      for (const s of rest.scopes) for (const r of s.owned) expect(r.permissions).toBeDefined();

      const desired = desiredFrom(rest);
      const restPlan = computePlan(desired, rest);
      const planGraphql = computePlan(desired, graphql);
      expect(planGraphql.changes.length).toBeGreaterThan(0);
      // REST says once that it could not check token expiry, naming the scopes of every owned runner; GraphQL never does.
      const ownedCount = rest.scopes.reduce((n, s) => n + s.owned.length, 0);
      expect(restPlan.warnings.filter(isRestExpiry).map((w) => w.message.match(/\d+/)![0])).toEqual(ownedCount > 0 ? [String(ownedCount)] : []);
      expect(planGraphql.warnings.filter(isRestExpiry)).toEqual([]);
      // These seeds' tokens never expire, so the plans are otherwise byte-identical.
      const planRest = { ...restPlan, warnings: restPlan.warnings.filter((w) => !isRestExpiry(w)) };
      expect(renderJson(planGraphql)).toBe(renderJson(planRest));
      expect(renderText(planGraphql, { source: 'runners.yaml', color: false })).toBe(renderText(planRest, { source: 'runners.yaml', color: false }));
      expect(renderMarkdown(planGraphql, { source: 'runners.yaml' })).toBe(renderMarkdown(planRest, { source: 'runners.yaml' }));
    });
  }
});

describe('hidden notes', () => {
  const src = { file: 'runners.yaml', line: 1, column: 1 };
  const declare = (attrs: DesiredState['scopes'][number]['runners'][number]['attrs']): DesiredState => ({
    files: ['runners.yaml'],
    scopes: [{ ref: g('acme/platform'), prune: false, source: src, runners: [{ description: 'platform-docker', attrs, source: src, token: null, renamed_from: [] }] }],
  });
  const MAJA = 'glpat-maja-0123456789abcdefXYZ';

  const HIDDEN = 'maintenance notes of 2 runners are hidden from this token: not compared; a token with the Owner role compares them';

  it('a group Maintainer: both readers carry the hidden notes as unknown, plan no drift and say so once', async () => {
    fake = await startFakeGitLab(hiddenNoteSeed());
    // GitLab hides the note in REST too (runner_details.rb): the read-through the GraphQL reader once made is gone.
    const rest = await readLiveState(client(fake, MAJA), [g('acme/platform')]);
    const before = fake.requests.length;
    const api = client(fake, MAJA);
    const live = await readLiveStateGraphQL(api, api.graphql, [g('acme/platform')]);
    expect(fake.requests.slice(before).every((r) => r.path === '/api/graphql')).toBe(true);
    for (const state of [live, rest]) {
      const [r4, r31] = state.scopes[0]?.owned ?? [];
      expect([r4?.id, r31?.id]).toEqual([4, 31]);
      const hidden = state === rest ? ['maintenance_note', 'token_expires_at'] : ['maintenance_note'];
      expect([r4?.attrs.maintenance_note, r4?.hidden, r4?.permissions]).toEqual([null, hidden, { update: false, delete: false }]);
      const plan = computePlan(declare({ maintenance_note: 'something else', tag_list: ['docker', 'linux'] }), state);
      // Runner 4 matches on everything the token can see: a no-op, not an update of a note nobody can read.
      expect(plan.changes.map((c) => [c.runner_id, c.action])).toEqual([[4, 'no-op']]);
      expect(plan.summary.refused).toBe(0);
      expect(plan.warnings.filter((w) => w.kind === 'hidden_fields' && !isRestExpiry(w))).toEqual([{ address: 'group acme/platform', kind: 'hidden_fields', message: HIDDEN }]);
      const paused = computePlan(declare({ paused: true }), state);
      expect(paused.changes[0]?.refused).toBe('this token may not update runner #4 (it needs the Owner role on its group)');
    }
    const desired = declare({ maintenance_note: 'x', tag_list: ['docker', 'linux'] });
    const restPlan = computePlan(desired, rest);
    expect(renderJson(computePlan(desired, live))).toBe(renderJson({ ...restPlan, warnings: restPlan.warnings.filter((w) => !isRestExpiry(w)) }));
  });

  it('the group Owner: the notes are compared, a changed one is planned and allowed', async () => {
    fake = await startFakeGitLab(hiddenNoteSeed());
    for (const live of [await readLiveState(client(fake, OWNER_TOKEN), [g('acme/platform')]), await graphqlRead(OWNER_TOKEN, [g('acme/platform')])]) {
      const r4 = live.scopes[0]?.owned[0];
      expect([r4?.attrs.maintenance_note, r4?.hidden]).toEqual(['owned by the platform team', live.api === 'rest' ? ['token_expires_at'] : undefined]);
      const plan = computePlan(declare({ maintenance_note: 'something else', tag_list: ['docker', 'linux'] }), live);
      expect(plan.changes.map((c) => [c.runner_id, c.action, c.refused])).toEqual([[4, 'update', null]]);
      expect(plan.warnings.filter((w) => w.kind === 'hidden_fields' && !isRestExpiry(w))).toEqual([]);
    }
  });
});

async function graphqlRead(token: string, refs: ScopeRef[]): Promise<LiveState> {
  const api = client(fake!, token);
  return readLiveStateGraphQL(api, api.graphql, refs);
}

describe('errors read alike', () => {
  it('an unknown path is "not found or not visible to this token" in both readers', async () => {
    const { rest, graphql } = await both({ name: 'typo', seed: () => baseSeed(), token: OWNER_TOKEN, refs: [g('acme/platfrom')] });
    expect(rest).toBeInstanceOf(Error);
    expect((graphql as Error).message).toMatch(/^Group acme\/platfrom not found or not visible to this token/);
    const proj = await both({ name: 'typo', seed: () => baseSeed(), token: OWNER_TOKEN, refs: [{ type: 'project', id: 999 }] });
    expect((proj.graphql as Error).message).toMatch(/^Project 999 not found or not visible to this token/);
  });
});

describe('token expiry: GitLab shows it through GraphQL only', () => {
  const src = { file: 'runners.yaml', line: 1, column: 1 };
  const now = new Date('2026-06-01T00:00:00Z');
  const soon = '2026-06-03T00:00:00Z';
  const seed = () => baseSeed([{ id: 40, runner_type: 'group_type', group: 'acme/platform', description: 'expiring', tag_list: ['x'], created_at: '2026-05-01T00:00:00Z', token_expires_at: soon }]);
  const desired: DesiredState = {
    files: ['runners.yaml'],
    scopes: [
      {
        ref: g('acme/platform'),
        prune: false,
        source: src,
        runners: [40, 4].map((id) => ({
          description: id === 40 ? 'expiring' : 'platform-docker',
          attrs: {},
          source: src,
          token: null,
          renamed_from: [],
          health: { ...DEFAULT_HEALTH, token_renew_before_ms: 7 * 24 * 3_600_000 },
        })),
      },
    ],
  };

  it('GraphQL plans the renewal; REST, which cannot see the expiry, says once that it did not check it', async () => {
    const { rest, graphql } = await both({ name: 'expiry', seed, token: OWNER_TOKEN, refs: [g('acme/platform')] });
    if (rest instanceof Error) throw rest;
    if (graphql instanceof Error) throw graphql;
    expect(graphql.scopes[0]?.owned.find((r) => r.id === 40)?.token_expires_at).toBe(soon);
    const planGraphql = computePlan(desired, graphql, { now });
    const planRest = computePlan(desired, rest, { now });
    const renew = planGraphql.changes.find((c) => c.runner_id === 40);
    expect([renew?.action, renew?.reason]).toEqual(['token-reset', 'renew']);
    expect(planGraphql.warnings.filter((w) => w.kind === 'hidden_fields')).toEqual([]);
    // REST: no renewal it cannot justify, and no silence either.
    expect(planRest.changes.map((c) => [c.runner_id, c.action])).toEqual([[40, 'no-op'], [4, 'no-op']]);
    expect(planRest.warnings.filter((w) => w.kind === 'hidden_fields')).toEqual([
      {
        address: 'group acme/platform',
        kind: 'hidden_fields',
        message: "token expiry of 2 runners not shown by GitLab's REST API: not checked (no renewal, no expiry warning); GitLab's GraphQL API shows it (--api graphql)",
      },
    ]);
    expect(renderText(planRest, { source: 'runners.yaml', color: false })).toContain("token expiry of 2 runners not shown by GitLab's REST API");
  });
});
