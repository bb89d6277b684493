// The fake's CI/CD variables API over real HTTP: GitLab's shapes, validations,
// hidden values, environment scopes, roles, token scopes, seed and faults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab } from '../fake-gitlab/server.js';
import { baseSeed, call, TOKENS } from './helpers.js';

const PV = '/projects/acme%2Fplatform%2Fapi/variables';
const GV = '/groups/acme%2Fplatform/variables';

function seed(): Seed {
  return {
    ...baseSeed(),
    variables: [
      { project: 'acme/platform/api', key: 'SEEDED', value: 'seeded-value', description: 'from the seed' },
      { group: 'acme/platform', key: 'SEEDED_HIDDEN', value: 'glrt-seeded-hidden-0001', hidden: true, protected: true },
    ],
  };
}

let fake: FakeGitLab;
beforeAll(async () => {
  fake = await startFakeGitLab(seed());
});
afterAll(() => fake.close());
beforeEach(() => fake.resetStats());

let n = 0;
/** A key no other test uses. */
const fresh = (prefix = 'K') => `${prefix}_${++n}`;

describe('project variables: create, list, get, update, delete', () => {
  it('creates with GitLab defaults and answers the entity in its field order', async () => {
    const key = fresh();
    const res = await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: 'plain value' } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual([
      'variable_type', 'key', 'value', 'hidden', 'protected', 'masked', 'raw', 'environment_scope', 'description',
    ]);
    expect(res.body).toEqual({
      variable_type: 'env_var', key, value: 'plain value', hidden: false, protected: false, masked: false, raw: false,
      environment_scope: '*', description: null,
    });
  });

  it('takes every attribute, as JSON or as a form', async () => {
    const key = fresh();
    const res = await call(fake, 'POST', '/projects/100/variables', {
      token: TOKENS.maintainer,
      form: { key, value: 'file-content_123', variable_type: 'file', protected: 'true', masked: 'true', raw: 'true', environment_scope: 'production', description: 'a file' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      variable_type: 'file', key, value: 'file-content_123', hidden: false, protected: true, masked: true, raw: true,
      environment_scope: 'production', description: 'a file',
    });
  });

  it('lists the variables paginated like the other lists, in creation order', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = fresh('LIST');
      created.push(key);
      expect((await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: `v${i}` } })).status).toBe(201);
    }
    const first = await call(fake, 'GET', `${PV}?per_page=2`, { token: TOKENS.maintainer });
    expect(first.status).toBe(200);
    const total = Number(first.headers.get('x-total'));
    expect(total).toBeGreaterThanOrEqual(4); // the seeded one and these three
    expect(first.headers.get('x-total-pages')).toBe(String(Math.ceil(total / 2)));
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    expect(first.body[0].key).toBe('SEEDED');
    const all: string[] = [];
    for (let page = 1; page <= Math.ceil(total / 2); page++) {
      const res = await call(fake, 'GET', `${PV}?per_page=2&page=${page}`, { token: TOKENS.maintainer });
      all.push(...res.body.map((v: { key: string }) => v.key));
    }
    expect(all).toHaveLength(total);
    expect(all.filter((k) => created.includes(k))).toEqual(created);
  });

  it('updates only what is sent, and deletes (204, then 404 "Variable Not Found")', async () => {
    const key = fresh();
    await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: 'masked-value-1', masked: true, protected: true, description: 'd' } });
    const put = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { key, value: 'masked-value-2' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key, value: 'masked-value-2', masked: true, protected: true, description: 'd' });
    const get = await call(fake, 'GET', `${PV}/${key}`, { token: TOKENS.maintainer });
    expect(get.body).toEqual(put.body);
    const desc = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, form: { description: 'new words', protected: 'false' } });
    expect(desc.body).toMatchObject({ value: 'masked-value-2', description: 'new words', protected: false });
    // the body's key is ignored (a variable cannot be renamed); an invalid change leaves the variable as it was
    const renamed = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { key: 'OTHER_NAME', value: 'masked-value-3' } });
    expect(renamed.body).toMatchObject({ key, value: 'masked-value-3' });
    const invalid = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { value: 'short', variable_type: 'file' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ message: { value: ['is invalid'] } });
    expect(fake.variable({ project: 'acme/platform/api' }, key)).toMatchObject({ value: 'masked-value-3', variable_type: 'env_var' });

    const del = await call(fake, 'DELETE', `${PV}/${key}`, { token: TOKENS.maintainer });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const gone = await call(fake, method, `${PV}/${key}`, { token: TOKENS.maintainer, json: method === 'PUT' ? { value: 'x' } : undefined });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ message: '404 Variable Not Found' });
    }
    expect(fake.variable({ project: 'acme/platform/api' }, key)).toBeUndefined();
  });
});

describe('hidden variables', () => {
  it('never show their value over HTTP; the in-process accessor has it', async () => {
    const key = fresh('HIDDEN');
    const secret = 'glrt-t2_abcdefghijklmnopqrstu';
    const res = await call(fake, 'POST', PV, {
      token: TOKENS.maintainer,
      json: { key, value: secret, masked_and_hidden: true, protected: true, description: 'runner acme/platform#9' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key, value: null, hidden: true, masked: true, protected: true, description: 'runner acme/platform#9' });
    const list = await call(fake, 'GET', `${PV}?per_page=100`, { token: TOKENS.maintainer });
    const listed = list.body.find((v: { key: string }) => v.key === key);
    expect(listed).toHaveProperty('value', null);
    const get = await call(fake, 'GET', `${PV}/${key}`, { token: TOKENS.maintainer });
    expect(get.body).toHaveProperty('value', null);
    for (const answer of [res, list, get]) expect(answer.text).not.toContain(secret);

    expect(fake.variable({ project: 'acme/platform/api' }, key)).toEqual({
      key, value: secret, variable_type: 'env_var', protected: true, masked: true, hidden: true, raw: false,
      environment_scope: '*', description: 'runner acme/platform#9',
    });
  });

  it('refuse a visibility change and keep the value when a client saves with value null', async () => {
    const key = fresh('HIDDEN');
    await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: 'hidden-value-1', masked_and_hidden: true } });
    const unmask = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { key, value: null, masked: false } });
    expect(unmask.status).toBe(400);
    expect(unmask.body).toEqual({ message: { base: ['The visibility setting cannot be changed for masked and hidden variables.'] } });
    expect(fake.variable({ project: 'acme/platform/api' }, key)).toMatchObject({ masked: true, hidden: true, value: 'hidden-value-1' });

    // what python-gitlab sends for `v.description = ...; v.save()`: the value it never saw, as null
    const desc = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { key, value: null, description: 'renamed', masked: true } });
    expect(desc.status).toBe(200);
    expect(desc.body).toMatchObject({ value: null, description: 'renamed', hidden: true });
    expect(fake.variable({ project: 'acme/platform/api' }, key)?.value).toBe('hidden-value-1');

    const newValue = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { value: 'hidden-value-2' } });
    expect(newValue.body.value).toBeNull();
    expect(fake.variable({ project: 'acme/platform/api' }, key)?.value).toBe('hidden-value-2');
  });
});

describe("GitLab's validations", () => {
  async function create(body: Record<string, unknown>) {
    return call(fake, 'POST', PV, { token: TOKENS.maintainer, json: body });
  }

  it.each([
    ['7 characters', 'abc1234', false],
    ['a space', 'has space1', false],
    ['a variable reference', 'abc$VARIABLE', false],
    ['a newline', 'abcdefgh\nij', false],
    ['a character outside the alphabet', 'abcdefgh!', false],
    ['8 Base64 characters', 'abcd1234', true],
    ['@ : . ~ + = / - _', 'a@b:c.d~e+f=g/h-i_j', true],
  ])('masked, expanded value with %s -> valid: %s', async (_what, value, ok) => {
    const res = await create({ key: fresh('MASK'), value, masked: true });
    if (ok) {
      expect(res.status).toBe(201);
    } else {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: { value: ['is invalid'] } });
    }
  });

  it('masked raw values may hold any non-space characters, at least 8', async () => {
    expect((await create({ key: fresh('RAW'), value: 'p@$$w0rd!%^&', masked: true, raw: true })).status).toBe(201);
    expect((await create({ key: fresh('RAW'), value: 'has space!', masked: true, raw: true })).body).toEqual({ message: { value: ['is invalid'] } });
    expect((await create({ key: fresh('RAW'), value: 'short!', masked: true, raw: true })).body).toEqual({ message: { value: ['is invalid'] } });
    expect((await create({ key: fresh('RAW'), value: 'x', raw: true })).status).toBe(201); // unmasked: no rule
  });

  it('checks the key: format, length, strip, uniqueness per environment scope', async () => {
    expect((await create({ key: 'bad-key!', value: 'v' })).body).toEqual({ message: { key: ["can contain only letters, digits and '_'."] } });
    expect((await create({ key: 'K'.repeat(256), value: 'v' })).body).toEqual({ message: { key: ['is too long (maximum is 255 characters)'] } });
    const key = fresh('UNIQ');
    expect((await create({ key: `  ${key} `, value: 'v' })).body.key).toBe(key);
    const dup = await create({ key, value: 'other' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ message: { key: [`(${key}) has already been taken`] } });
    expect((await create({ key, value: 'prod', environment_scope: 'production' })).status).toBe(201);
    const both = await create({ key: 'bad key', value: 'short', masked: true });
    expect(both.body).toEqual({ message: { key: ["can contain only letters, digits and '_'."], value: ['is invalid'] } });
  });

  it('refuses a description over 255 characters and an empty or ill-formed environment scope', async () => {
    expect((await create({ key: fresh(), value: 'v', description: 'd'.repeat(256) })).body).toEqual({
      message: { description: ['is too long (maximum is 255 characters)'] },
    });
    const scopeFormat = "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces";
    expect((await create({ key: fresh(), value: 'v', environment_scope: '  ' })).body).toEqual({
      message: { environment_scope: ["can't be blank", scopeFormat] },
    });
    expect((await create({ key: fresh(), value: 'v', environment_scope: 'prod|staging' })).body).toEqual({
      message: { environment_scope: [scopeFormat] },
    });
    expect((await create({ key: fresh(), value: 'v', environment_scope: ' review/${CI_COMMIT_REF_SLUG}.* ' })).body.environment_scope).toBe(
      'review/${CI_COMMIT_REF_SLUG}.*',
    );
  });

  it("answers Grape's parameter errors", async () => {
    expect((await create({})).body).toEqual({ error: 'key is missing, value is missing' });
    expect((await create({ key: fresh(), value: 'v', variable_type: 'secret' })).body).toEqual({ error: 'variable_type does not have a valid value' });
    expect((await create({ key: fresh(), value: 'v', protected: 'maybe' })).body).toEqual({ error: 'protected is invalid' });
    expect((await create({ key: fresh(), value: { nested: true } })).body).toEqual({ error: 'value is invalid' });
  });
});

describe('environment scopes and filter[environment_scope]', () => {
  it('answers 409 when a key exists in several scopes, and the filter picks one for GET, PUT and DELETE', async () => {
    const key = fresh('SCOPED');
    await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: 'all', environment_scope: '*' } });
    await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key, value: 'prod', environment_scope: 'production' } });
    const ambiguous = await call(fake, 'GET', `${PV}/${key}`, { token: TOKENS.maintainer });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toEqual({ message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });

    const filter = (scope: string) => `filter%5Benvironment_scope%5D=${encodeURIComponent(scope)}`;
    expect((await call(fake, 'GET', `${PV}/${key}?${filter('production')}`, { token: TOKENS.maintainer })).body.value).toBe('prod');
    expect((await call(fake, 'GET', `${PV}/${key}?${filter('staging')}`, { token: TOKENS.maintainer })).status).toBe(404);
    const put = await call(fake, 'PUT', `${PV}/${key}?${filter('*')}`, { token: TOKENS.maintainer, json: { value: 'all-2' } });
    expect(put.body).toMatchObject({ value: 'all-2', environment_scope: '*' });
    const viaBody = await call(fake, 'PUT', `${PV}/${key}`, { token: TOKENS.maintainer, json: { value: 'prod-2', filter: { environment_scope: 'production' } } });
    expect(viaBody.body).toMatchObject({ value: 'prod-2', environment_scope: 'production' });
    const clash = await call(fake, 'PUT', `${PV}/${key}?${filter('production')}`, { token: TOKENS.maintainer, json: { environment_scope: '*' } });
    expect(clash.body).toEqual({ message: { key: [`(${key}) has already been taken`] } });

    expect((await call(fake, 'DELETE', `${PV}/${key}?${filter('production')}`, { token: TOKENS.maintainer })).status).toBe(204);
    expect(fake.variables({ project: 'acme/platform/api' }).filter((v) => v.key === key)).toEqual([
      expect.objectContaining({ value: 'all-2', environment_scope: '*' }),
    ]);
    expect((await call(fake, 'GET', `${PV}/${key}`, { token: TOKENS.maintainer })).body.value).toBe('all-2');
  });
});

describe('group variables', () => {
  it('work like project variables, with "404 GroupVariable Not Found"', async () => {
    const key = fresh('GROUP');
    const res = await call(fake, 'POST', GV, { token: TOKENS.subOwner, json: { key, value: 'group-value-1', masked: true, protected: true } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key, value: 'group-value-1', masked: true, hidden: false, environment_scope: '*' });
    const hidden = await call(fake, 'POST', '/groups/11/variables', { token: TOKENS.owner, json: { key: fresh('GROUP'), value: 'group-hidden-1', masked_and_hidden: true } });
    expect(hidden.body).toMatchObject({ value: null, hidden: true, masked: true });
    const list = await call(fake, 'GET', GV, { token: TOKENS.subOwner });
    expect(list.body.map((v: { key: string }) => v.key)).toEqual(['SEEDED_HIDDEN', key, hidden.body.key]);
    expect(list.body[0].value).toBeNull();
    expect((await call(fake, 'PUT', `${GV}/${key}`, { token: TOKENS.subOwner, json: { value: 'group-value-2' } })).body.value).toBe('group-value-2');
    expect((await call(fake, 'DELETE', `${GV}/${key}`, { token: TOKENS.subOwner })).status).toBe(204);
    const gone = await call(fake, 'GET', `${GV}/${key}`, { token: TOKENS.subOwner });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: '404 GroupVariable Not Found' });
    // a group's variables are not its project's
    expect((await call(fake, 'GET', `${PV}/SEEDED_HIDDEN`, { token: TOKENS.owner })).body).toEqual({ message: '404 Variable Not Found' });
  });
});

describe('roles and token scopes', () => {
  it('needs Maintainer for project variables and Owner for group variables (403), and visibility (404)', async () => {
    const dev = await call(fake, 'GET', PV, { token: TOKENS.developer });
    expect(dev.status).toBe(403);
    expect(dev.body).toEqual({ message: '403 Forbidden' });
    expect((await call(fake, 'POST', PV, { token: TOKENS.developer, json: { key: fresh(), value: 'v' } })).status).toBe(403);
    // Maintainer of the group acme/platform: inherited Maintainer of its project, but not Owner of the group
    expect((await call(fake, 'GET', PV, { token: TOKENS.maintainer })).status).toBe(200);
    const groupAsMaintainer = await call(fake, 'GET', GV, { token: TOKENS.maintainer });
    expect(groupAsMaintainer.status).toBe(403);
    expect(groupAsMaintainer.body).toEqual({ message: '403 Forbidden' });
    expect((await call(fake, 'POST', GV, { token: TOKENS.maintainer, json: { key: fresh(), value: 'v' } })).status).toBe(403);
    // Owner of acme/platform only: acme is visible to them (they are a member below it) but not theirs
    expect((await call(fake, 'GET', '/groups/acme/variables', { token: TOKENS.subOwner })).status).toBe(403);
    expect((await call(fake, 'GET', '/groups/acme/variables', { token: TOKENS.owner })).status).toBe(200);
    expect((await call(fake, 'GET', PV, { token: TOKENS.outsider })).body).toEqual({ message: '404 Project Not Found' });
    expect((await call(fake, 'GET', GV, { token: TOKENS.outsider })).body).toEqual({ message: '404 Group Not Found' });
    expect((await call(fake, 'GET', PV, { token: null })).status).toBe(401);
    // permissions are checked before parameters, as Grape's before blocks run first
    expect((await call(fake, 'POST', PV, { token: TOKENS.developer, json: {} })).status).toBe(403);
  });

  it('reads with read_api or api; writes need api', async () => {
    expect((await call(fake, 'GET', PV, { token: TOKENS.readApi })).status).toBe(200);
    expect((await call(fake, 'GET', `${PV}/SEEDED`, { token: TOKENS.readApi })).body.value).toBe('seeded-value');
    for (const [method, path] of [['POST', PV], ['PUT', `${PV}/SEEDED`], ['DELETE', `${PV}/SEEDED`]] as const) {
      const res = await call(fake, method, path, { token: TOKENS.readApi, json: { key: 'SEEDED', value: 'changed-value' } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
    }
    expect((await call(fake, 'GET', PV, { token: TOKENS.createRunner })).body).toMatchObject({ error: 'insufficient_scope' });
    expect(fake.variable({ project: 'acme/platform/api' }, 'SEEDED')).toMatchObject({ value: 'seeded-value', description: 'from the seed' });
  });
});

describe('seed and faults', () => {
  it('loads seed variables (hidden ones too) and refuses invalid ones', async () => {
    expect(fake.variable({ group: 'acme/platform' }, 'SEEDED_HIDDEN')).toMatchObject({ value: 'glrt-seeded-hidden-0001', hidden: true, masked: true, protected: true });
    await expect(
      startFakeGitLab({ ...baseSeed(), variables: [{ project: 'acme/platform/api', key: 'SHORT', value: 'abc', masked: true }] }),
    ).rejects.toThrow(/invalid seed: variable SHORT of acme\/platform\/api: .*is invalid/);
    await expect(startFakeGitLab({ ...baseSeed(), variables: [{ project: 'nope/x', key: 'K', value: 'v' }] })).rejects.toThrow(/unknown project nope\/x/);
    await expect(
      startFakeGitLab({ ...baseSeed(), variables: [{ project: 'acme/platform/api', group: 'acme', key: 'K', value: 'v' }] }),
    ).rejects.toThrow(/exactly one of project or group/);
    expect(() => fake.addVariable({ project: 'acme/platform/api', key: 'SEEDED', value: 'again' })).toThrow(/has already been taken/);
  });

  it('429 and 5xx do not act; a lost answer and a late apply do', async () => {
    const k429 = fresh('FAULT');
    fake.inject({ method: 'POST', path: '/projects/acme%2Fplatform%2Fapi/variables', times: 1, fault: { kind: 'status', status: 429, retryAfter: 1 } });
    const limited = await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key: k429, value: 'v' } });
    expect(limited.status).toBe(429);
    expect(fake.variable({ project: 'acme/platform/api' }, k429)).toBeUndefined();

    fake.inject({ method: 'PUT', path: /\/variables\/SEEDED$/, times: 1, fault: { kind: 'status', status: 502 } });
    expect((await call(fake, 'PUT', `${PV}/SEEDED`, { token: TOKENS.maintainer, json: { value: 'not-applied' } })).status).toBe(502);
    expect(fake.variable({ project: 'acme/platform/api' }, 'SEEDED')?.value).toBe('seeded-value');

    const lost = fresh('FAULT');
    fake.inject({ method: 'POST', path: /^\/groups\/[^/]+\/variables$/, times: 1, fault: { kind: 'lost-response' } });
    await expect(call(fake, 'POST', GV, { token: TOKENS.subOwner, json: { key: lost, value: 'lost-answer-1' } })).rejects.toThrow();
    expect(fake.variable({ group: 'acme/platform' }, lost)?.value).toBe('lost-answer-1');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', status: 201 });

    const late = fresh('FAULT');
    fake.inject({ method: 'POST', path: /\/variables$/, times: 1, fault: { kind: 'late-apply', afterMs: 100 } });
    const gateway = await call(fake, 'POST', PV, { token: TOKENS.maintainer, json: { key: late, value: 'late-value' } });
    expect(gateway.status).toBe(504);
    expect(fake.variable({ project: 'acme/platform/api' }, late)).toBeUndefined();
    for (let i = 0; i < 100 && !fake.variable({ project: 'acme/platform/api' }, late); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.variable({ project: 'acme/platform/api' }, late)?.value).toBe('late-value');
  });
});
