#!/usr/bin/env node
// Stores the tokens of runners that `runnerform apply --tokens-out FILE` created
// as masked, protected (and, on GitLab 17.4+, hidden) CI/CD variables of the
// project that deploys your runner hosts. Runs inside the apply job, so the
// tokens never become an artifact. Prints no token.
//
//   node store-runner-tokens.mjs TOKENS_FILE
//
// Environment:
//   RUNNER_TOKENS_PROJECT       project (id or full path) that receives the variables (required)
//   RUNNER_TOKENS_GITLAB_TOKEN  token with `api` scope and Maintainer role there (default: $GITLAB_TOKEN)
//   RUNNER_TOKENS_PREFIX        variable name prefix (default: RUNNER_TOKEN_), followed by the runner id
//   CI_API_V4_URL               set by GitLab CI; else $GITLAB_URL/api/v4
import { readFileSync } from 'node:fs';

const SECRET = /gl(?:pat|rt|ptt|dt|rtr|cbt|oas|soat|ft|imt|agent)-[A-Za-z0-9_.-]*/g;
const redact = (text) => String(text).replace(SECRET, (m) => `${m.slice(0, m.indexOf('-') + 1)}[REDACTED]`);

function fail(message) {
  process.stderr.write(`store-runner-tokens: ${redact(message)}\n`);
  process.exit(1);
}

const file = process.argv[2];
const env = process.env;
if (!file) fail('usage: node store-runner-tokens.mjs TOKENS_FILE');
const project = env.RUNNER_TOKENS_PROJECT;
if (!project) fail('set RUNNER_TOKENS_PROJECT to the project (id or full path) whose CI/CD variables receive the runner tokens.');
const token = env.RUNNER_TOKENS_GITLAB_TOKEN || env.GITLAB_TOKEN;
if (!token) fail('set RUNNER_TOKENS_GITLAB_TOKEN (api scope, Maintainer of RUNNER_TOKENS_PROJECT).');
const api = (env.CI_API_V4_URL || (env.GITLAB_URL ? `${env.GITLAB_URL.replace(/\/+$/, '')}/api/v4` : '')).replace(/\/+$/, '');
if (!api) fail('set CI_API_V4_URL or GITLAB_URL.');
const prefix = env.RUNNER_TOKENS_PREFIX ?? 'RUNNER_TOKEN_';

let entries;
try {
  entries = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  fail(`cannot read ${file}: ${err.code ?? err.message}`);
}
if (!Array.isArray(entries)) fail(`${file} is not a JSON array of tokens.`);

const base = `${api}/projects/${encodeURIComponent(project)}/variables`;

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** Creates the variable, or updates its value when it already exists. */
async function store(entry) {
  const key = `${prefix}${entry.id}`;
  const where = entry.scope?.path ? `${entry.scope.type} ${entry.scope.path}` : (entry.scope?.type ?? 'runner');
  const settings = { masked: true, protected: true, raw: true, description: `runnerform: ${where}, ${entry.description}`.slice(0, 255) };
  let res = await call('POST', base, { key, value: entry.token, masked_and_hidden: true, ...settings });
  if (res.status === 400 && /already been taken/.test(res.text)) {
    res = await call('PUT', `${base}/${encodeURIComponent(key)}`, { value: entry.token, ...settings });
  }
  if (res.status >= 300) throw new Error(`${key}: GitLab answered ${res.status} ${res.text.slice(0, 300)}`);
  return key;
}

let failed = 0;
for (const entry of entries) {
  // The file is also runnerform's journal: an intent GitLab never answered has no token,
  // and a runner with its own `token:` destination already got its token there.
  if (!entry.token || entry.destination) continue;
  try {
    const key = await store(entry);
    process.stdout.write(`Stored the token of runner ${entry.id} (${JSON.stringify(entry.description)}) as ${key} in ${project}.\n`);
  } catch (err) {
    failed++;
    process.stderr.write(`store-runner-tokens: runner ${entry.id}: ${redact(err.message)}\n`);
  }
}
if (failed > 0) {
  fail(
    `${failed} token(s) not stored. Get a new one with POST /runners/:id/reset_authentication_token ` +
      '(safe before the runner host first uses it).',
  );
}
