// The health rules over what the health read returned. Pure: the clock, the
// journal's token expiries and GitLab's answers are handed in.
import type { DesiredState, HealthSettings, LiveManager, LiveRunner, LiveState, ManagerStatus } from '../model.js';
import { MANAGER_STATUSES } from '../model.js';
import { formatAddress, quote } from '../plan/address.js';
import { shellQuote } from '../plan/token-reset.js';
import { withheldFor, withheldReason } from '../plan/renewal.js';
import { isOwnManager, ownContactOnly } from '../plan/own-contact.js';
import type { HealthFinding, HealthReport, HealthRule, RunnerHealthRow } from './report.js';
import { DEFAULT_HEALTH, formatDuration, TOKEN_WARN_WINDOW_MS } from './settings.js';
import { newestPatches, upgradeStatus, type NewestPatches } from './upgrade.js';
import { minorsBehind, parseVersion, type Version } from './version.js';

/** app/models/ci/runner.rb STALE_TIMEOUT: what stale runner pruning waits for. */
const PRUNE_AFTER_MS = 7 * 24 * 60 * 60_000;
/** Expiries closer than this are the same expiry (GitLab's Time has seconds; clocks differ). */
const SAME_EXPIRY_MS = 60_000;

/** The token runnerform stored last for a runner: its expiry as GitLab answered, and a time before it was issued. */
export interface StoredToken {
  expires_at: string | null;
  /** The journal intent written before the request that issued it; null in files older than the journal. */
  issued_after: string | null;
}

export interface HealthInput {
  desired: DesiredState;
  /** Read with health facts, scopes in the order of desired.scopes. */
  live: LiveState;
  gitlab_version: string | null;
  /** Group id → stale runner pruning on (null: unknown). */
  pruning: Record<number, boolean | null>;
  /** Runner id → the token runnerform last stored for it (the --tokens-out journal); absent: not known. */
  stored: Record<number, StoredToken>;
  now: Date;
}

interface Ctx {
  address: string;
  runner: LiveRunner;
  settings: HealthSettings;
  now: number;
  gitlab: Version | null;
  /** The newest patch release of each minor some manager in the read runs. */
  newest: NewestPatches;
  rotate: string;
  add: (rule: HealthRule, message: string, remedy: string, systemId?: string | null) => void;
}

export function checkHealth(input: HealthInput): HealthReport {
  const findings: HealthFinding[] = [];
  const rows: RunnerHealthRow[] = [];
  const gitlab = parseVersion(input.gitlab_version);
  const now = input.now.getTime();
  const newest = newestPatches(fleetManagers(input.live));
  const unknown = { managers: 0, creation: 0, versions: 0, truncated: 0, expiry: 0 };
  input.desired.scopes.forEach((scope, i) => {
    const live = input.live.scopes[i];
    // The live state is read scope by scope for the desired state: the same index is the same scope.
    if (!live) throw new Error(`no live state for declared scope ${i}`);
    const declared = new Set(scope.runners.map((r) => r.description));
    for (const d of scope.runners) {
      const runner = live.owned.find((r) => r.description === d.description);
      if (!runner) continue; // not created yet: plan's business
      const address = formatAddress(live.scope, d.description);
      const add: Ctx['add'] = (rule, message, remedy, systemId = null) =>
        findings.push({ rule, address, runner_id: runner.id, system_id: systemId, declared: true, message, remedy });
      const ctx: Ctx = { address, runner: hostView(runner), settings: d.health ?? DEFAULT_HEALTH, now, gitlab, newest, rotate: `runnerform rotate ${shellQuote(address)}`, add };
      contactRules(ctx);
      managerRules(ctx, unknown);
      tokenRules(ctx, input.stored[runner.id], unknown);
      legacyRule(ctx, true, unknown);
      // GitLab's pruning reads contacted_at as it is, runnerform's own check included.
      if (live.scope.type === 'group' && input.pruning[live.scope.id!] === true) pruningRule({ ...ctx, runner });
      rows.push(rowOf(ctx));
    }
    for (const runner of live.owned.filter((r) => !declared.has(r.description))) {
      const address = formatAddress(live.scope, runner.description);
      const add: Ctx['add'] = (rule, message, remedy, systemId = null) =>
        findings.push({ rule, address, runner_id: runner.id, system_id: systemId, declared: false, message, remedy });
      legacyRule({ address, runner, settings: DEFAULT_HEALTH, now, gitlab, newest, rotate: '', add }, false, unknown);
    }
  });
  findings.push(...unknownFindings(input, unknown));
  return { gitlab_url: input.live.gitlabUrl, gitlab_version: input.gitlab_version, checked_at: input.now.toISOString(), runners: rows, findings };
}

/**
 * Every manager the read returned with the runner it belongs to: owned runners of every declared
 * scope first (named by address), then runners a scope only sees (named by id), declared or not.
 */
function* fleetManagers(live: LiveState): Generator<{ version: string | null; system_id: string; runner: string }> {
  for (const s of live.scopes) {
    for (const r of s.owned) for (const m of r.health?.managers ?? []) yield { version: m.version, system_id: m.system_id, runner: formatAddress(s.scope, r.description) };
  }
  for (const s of live.scopes) {
    for (const r of s.visible) for (const m of r.health?.managers ?? []) yield { version: m.version, system_id: m.system_id, runner: `${quote(r.description)} (id ${r.id})` };
  }
}

const ago = (now: number, iso: string) => formatDuration(Math.max(0, Math.round((now - Date.parse(iso)) / 60_000)) * 60_000);

/**
 * The runner as its hosts left it: without the manager runnerform's POST /runners/verify made, and
 * without a contacted_at that is only that check (plan/own-contact.ts). Neither is a host.
 */
function hostView(runner: LiveRunner): LiveRunner {
  const managers = runner.health?.managers ?? null;
  if (!runner.health || managers === null) return runner;
  const own = ownContactOnly(runner, managers);
  return { ...runner, ...(own ? { contacted_at: null } : {}), health: { ...runner.health, managers: managers.filter((m) => !isOwnManager(m)) } };
}

function contactRules({ runner, settings, now, rotate, add }: Ctx): void {
  if (runner.contacted_at === null) {
    const created = runner.created_at === null ? NaN : Date.parse(runner.created_at);
    if (!Number.isNaN(created) && now - created > settings.never_contacted_after_ms) {
      add('never_contacted', `has never contacted GitLab since it was created at ${runner.created_at}`, `start gitlab-runner with its token on its host, or give it a new token (${rotate})`);
    }
    return;
  }
  if (now - Date.parse(runner.contacted_at) > settings.stale_after_ms || runner.status === 'stale') {
    add('stale', `last contacted GitLab at ${runner.contacted_at} (${ago(now, runner.contacted_at)} ago)`, 'check its host; delete the runner from runners.yaml if the host is gone for good');
  }
}

function managerRules({ runner, settings, now, gitlab, newest, add }: Ctx, unknown: { managers: number; versions: number; truncated: number }): void {
  const managers = runner.health?.managers ?? null;
  if (managers === null) {
    unknown.managers++;
    return;
  }
  if (runner.health?.managers_truncated) unknown.truncated++;
  const online = managers.filter((m) => isOnline(m, now, settings));
  for (const m of managers) {
    if (!isOnline(m, now, settings) && m.contacted_at !== null) {
      const others = online.length > 0 ? ` while ${online.length} other manager${online.length === 1 ? ' is' : 's are'} online` : '';
      add(
        'offline_manager',
        `manager ${m.system_id} last contacted GitLab at ${m.contacted_at} (${ago(now, m.contacted_at)} ago)${others}`,
        `if host ${m.system_id} is gone, nothing to do (GitLab forgets managers silent for 7 days); else check gitlab-runner there ("gitlab-runner verify")`,
        m.system_id,
      );
    }
    // A manager that never contacted GitLab has no version to tell (GitLab 16–18 made runnerform's
    // verify manager so; hostView drops that one by its system_id anyway).
    if (m.contacted_at === null) continue;
    const v = parseVersion(m.version);
    if (v === null) {
      unknown.versions++;
      continue;
    }
    const upgrade = upgradeStatus(m.version, gitlab, settings.max_minor_skew, newest);
    if (gitlab !== null && upgrade.behind !== null && upgrade.behind > settings.max_minor_skew) {
      add(
        'version_skew',
        `manager ${m.system_id} runs gitlab-runner ${m.version}, ${upgrade.behind} minor releases behind GitLab ${gitlab.major}.${gitlab.minor} (at most ${settings.max_minor_skew} allowed)`,
        `upgrade gitlab-runner on host ${m.system_id} to ${gitlab.major}.${gitlab.minor}`,
        m.system_id,
      );
    } else if (upgrade.newer_patch !== null) {
      // Only when not skewed: upgrading to GitLab's minor (version_skew's remedy) takes the patch with it.
      const w = upgrade.newer_patch;
      add(
        'version_patch',
        `manager ${m.system_id} runs gitlab-runner ${m.version}; ${w.version}, a newer patch release of ${v.major}.${v.minor}, runs on manager ${w.system_id} of runner ${w.runner}`,
        `upgrade gitlab-runner on host ${m.system_id} to ${w.version} (or the newest ${v.major}.${v.minor} patch release)`,
        m.system_id,
      );
    }
  }
}

function isOnline(m: LiveManager, now: number, settings: HealthSettings): boolean {
  return m.contacted_at !== null && now - Date.parse(m.contacted_at) <= settings.offline_managers_after_ms;
}

function tokenRules({ address, runner, settings, now, rotate, add }: Ctx, stored: StoredToken | undefined, unknown: { expiry: number }): void {
  // GitLab hid the expiry from this token (read_runner_sensitive_data): unknown, not "never expires".
  if (runner.hidden?.includes('token_expires_at')) {
    unknown.expiry++;
    return;
  }
  const expires = runner.token_expires_at === null ? NaN : Date.parse(runner.token_expires_at);
  if (Number.isNaN(expires)) return;
  const renew = settings.token_renew_before_ms;
  // The same rule as the plan's (plan/renewal.ts): a renewal that would be due again at once is withheld.
  const issue = stored?.expires_at && stored.issued_after ? { expires_at: stored.expires_at, issued_after: stored.issued_after } : undefined;
  const withheld = renew === null ? null : withheldFor(renew, runner, expires, now, issue);
  const fix =
    renew === null ? `${rotate}, or set health.token_renew_before so apply renews it`
    : withheld !== null ? withheldReason(withheld, address)
    : 'the next apply renews it (health.token_renew_before)';
  if (expires <= now) add('token_expired', `its token expired at ${runner.token_expires_at}: it takes no jobs`, rotate);
  else if (expires - now <= (renew ?? TOKEN_WARN_WINDOW_MS)) add('token_expiring', `its token expires at ${runner.token_expires_at} (in ${ago(expires, new Date(now).toISOString())})`, fix);
  // An expiry later than the one runnerform stored: gitlab-runner rotated the token itself and wrote it to its config.toml only.
  const storedAt = stored?.expires_at ? Date.parse(stored.expires_at) : NaN;
  // gitlab-runner rotates only a token it has used: a runner that never contacted GitLab was reset by someone else
  // (runnerform rotate without this tokens file, the UI), and its destination got that token.
  const contacted = runner.contacted_at !== null || (runner.health?.managers ?? []).some((m) => m.contacted_at !== null);
  if (contacted && !Number.isNaN(storedAt) && expires - storedAt > SAME_EXPIRY_MS) {
    add(
      'token_self_rotated',
      `its token expires at ${runner.token_expires_at}, not at ${stored?.expires_at} as when runnerform stored it: gitlab-runner likely rotated it itself ` +
        '(or it was reset without this tokens file), so its destination may hold a dead token',
      `${rotate} (a new token to its destination), or set FF_DISABLE_AUTOMATIC_TOKEN_ROTATION=true on its hosts`,
    );
  }
}

function legacyRule({ runner, add }: Ctx, declared: boolean, unknown: { creation: number }): void {
  const method = runner.health?.creation_method ?? null;
  if (method === null) {
    if (declared) unknown.creation++;
    return;
  }
  if (method !== 'registration_token') return;
  add(
    'legacy_registration',
    `was registered with a registration token${declared ? '' : ' (not declared in runners.yaml)'}; registration tokens are going away (GitLab 20.0)`,
    declared
      ? 'create its replacement with runnerform (POST /user/runners): rename this one (renamed_from) or delete it and apply, then point its hosts at the new token'
      : 'declare it in runners.yaml to have runnerform replace it, or re-create it in GitLab\'s UI (New runner)',
  );
}

function pruningRule({ runner, now, add }: Ctx): void {
  const from = runner.contacted_at ?? runner.created_at;
  if (from === null) return;
  const at = Date.parse(from) + PRUNE_AFTER_MS;
  if (runner.contacted_at !== null && at - now > PRUNE_AFTER_MS / 7) return; // in contact recently: not at risk
  const when = at <= now ? 'at its next pruning run' : `after ${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  add(
    'stale_pruning',
    `its group prunes stale runners: GitLab deletes it ${when} unless its host contacts GitLab, and the next apply creates it again with a new token`,
    'start its host now, or turn off "Prune stale runners" in the group\'s CI/CD settings',
  );
}

function rowOf({ address, runner, now, gitlab, newest, settings }: Ctx): RunnerHealthRow {
  const managers = runner.health?.managers ?? null;
  let counts: Record<ManagerStatus, number> | null = null;
  let skew: number | null = null;
  if (managers !== null) {
    counts = Object.fromEntries(MANAGER_STATUSES.map((s) => [s, managers.filter((m) => m.status === s).length])) as Record<ManagerStatus, number>;
    const versions = managers.map((m) => parseVersion(m.version)).filter((v): v is Version => v !== null);
    if (gitlab !== null && versions.length > 0 && versions.length === managers.length) skew = Math.max(...versions.map((v) => minorsBehind(v, gitlab)));
  }
  const expires = runner.token_expires_at === null ? NaN : Date.parse(runner.token_expires_at);
  return {
    address,
    runner_id: runner.id,
    status: runner.status,
    managers: counts,
    version_skew_minors: skew,
    manager_upgrades:
      managers?.map((m) => {
        const u = upgradeStatus(m.version, gitlab, settings.max_minor_skew, newest);
        return { system_id: m.system_id, version: m.version, upgrade_status: u.status, minors_behind: u.behind, newer_patch: u.newer_patch?.version ?? null };
      }) ?? null,
    token_expires_in_s: Number.isNaN(expires) ? null : Math.round((expires - now) / 1000),
  };
}

/** What could not be checked, said once each: unknown is never healthy. */
function unknownFindings(input: HealthInput, unknown: { managers: number; creation: number; versions: number; truncated: number; expiry: number }): HealthFinding[] {
  const out: HealthFinding[] = [];
  const add = (message: string, remedy: string) =>
    out.push({ rule: 'unknown', address: 'gitlab', runner_id: null, system_id: null, declared: true, message, remedy });
  const n = (k: number) => `${k} runner${k === 1 ? '' : 's'}`;
  if (input.gitlab_version === null) add('GitLab did not say its version: version skew not checked, and upgrade status unknown but for a newer patch some manager runs', 'use a token that may read GitLab\'s metadata (read_api)');
  if (unknown.managers > 0) add(`GitLab did not say the managers of ${n(unknown.managers)}: offline managers and version skew not checked`, 'use GitLab 16.0 or later, and a token that may read these runners');
  if (unknown.versions > 0) add(`${unknown.versions} runner manager${unknown.versions === 1 ? '' : 's'} did not report a version: version skew and upgrade status not checked for them`, 'check gitlab-runner on those hosts');
  if (unknown.truncated > 0) add(`${n(unknown.truncated)} ha${unknown.truncated === 1 ? 's' : 've'} more managers than one page: only the first page of each (50) was checked`, 'remove the managers of hosts that are gone (they go by themselves after 7 days)');
  if (unknown.expiry > 0 && input.live.api === 'rest') {
    add(`GitLab's REST API does not show token expiry dates: token expiry of ${n(unknown.expiry)} not checked`, "read through GitLab's GraphQL API (--api graphql, the default)");
  } else if (unknown.expiry > 0) add(`GitLab hid the token expiry of ${n(unknown.expiry)} from this token: token expiry not checked for them`, 'use an administrator token for instance runners (read_runner_sensitive_data)');
  if (unknown.creation > 0) add(`GitLab did not say how ${n(unknown.creation)} were created: legacy registrations not checked`, 'use GitLab 17.0 or later through GraphQL (--api graphql)');
  return out;
}
