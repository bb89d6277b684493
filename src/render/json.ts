// The JSON plan (`--format json`, and what `plan --out` writes). Objects are
// rebuilt key by key so the order is fixed whatever the Plan came from.
// Described by schemas/plan.schema.json.
import { redactTokens } from '../secrets.js';
import { ATTRIBUTE_NAMES, type Change, type Delivery, type Plan, type RunnerAttrs, type Scope, type TokenDestination, type UnmanagedRunner } from '../model.js';

export function renderJson(plan: Plan): string {
  // A token someone pasted into a runner's note or description in GitLab never
  // reaches a plan file (masking keeps the JSON valid: tokens hold no quotes).
  return redactTokens(`${JSON.stringify(planToJson(plan), null, 2)}\n`);
}

/** The plan as plain data with a stable key order. */
function planToJson(plan: Plan): unknown {
  return {
    format_version: plan.format_version,
    gitlab_url: plan.gitlab_url,
    scopes: plan.scopes.map(scopeJson),
    fingerprint: plan.fingerprint,
    targets: [...plan.targets],
    changes: plan.changes.map(changeJson),
    deliveries: plan.deliveries.map(deliveryJson),
    unmanaged: plan.unmanaged.map(unmanagedJson),
    warnings: plan.warnings.map((w) => ({ address: w.address, kind: w.kind, message: w.message })),
    summary: {
      create: plan.summary.create,
      update: plan.summary.update,
      delete: plan.summary.delete,
      no_op: plan.summary.no_op,
      token_reset: plan.summary.token_reset,
      deliver: plan.summary.deliver,
      unmanaged: plan.summary.unmanaged,
      refused: plan.summary.refused,
      ...(plan.summary.enable !== undefined ? { enable: plan.summary.enable, disable: plan.summary.disable ?? 0 } : {}),
    },
  };
}

function scopeJson(s: Scope): unknown {
  return { type: s.type, path: s.path, id: s.id };
}

function attrsJson(a: RunnerAttrs | null): unknown {
  if (a === null) return null;
  const out: Record<string, unknown> = {};
  for (const name of ATTRIBUTE_NAMES) {
    if (a[name] !== undefined) out[name] = name === 'tag_list' ? [...a.tag_list!] : a[name];
  }
  return out;
}

function changeJson(c: Change): unknown {
  return {
    address: c.address,
    action: c.action,
    scope: scopeJson(c.scope),
    description: c.description,
    runner_id: c.runner_id,
    before: attrsJson(c.before),
    after: attrsJson(c.after),
    changed: [...c.changed],
    status: c.status,
    contacted_at: c.contacted_at,
    reason: c.reason,
    token: tokenJson(c.token),
    refused: c.refused,
    // Only when runnerform itself refuses: plans without one read as before.
    ...(c.refused_by ? { refused_by: c.refused_by } : {}),
    ...(c.action === 'delete' ? { duplicate_of: c.duplicate_of } : {}),
    ...(c.action === 'update' ? { renamed_from: c.renamed_from } : {}),
    // Only when set: plans without a move or a renamed reset read as before.
    ...(c.action === 'update' && c.token_move ? { token_move: { from: tokenJson(c.token_move.from), from_description: c.token_move.from_description } } : {}),
    ...(c.action === 'token-reset' && c.renamed_from ? { renamed_from: c.renamed_from } : {}),
    // Only when there are any: plans without also_in read as before.
    ...(c.enablements?.length ? { enablements: c.enablements.map((e) => ({ action: e.action, project: { id: e.project.id, path: e.project.path }, refused: e.refused })) } : {}),
  };
}

function deliveryJson(d: Delivery): unknown {
  return {
    address: d.address,
    scope: scopeJson(d.scope),
    description: d.description,
    runner_id: d.runner_id,
    reason: d.reason,
    token: tokenJson(d.token),
    refused: d.refused,
  };
}

function tokenJson(t: TokenDestination | null): unknown {
  if (t === null) return null;
  if (t.kind === 'command') return { kind: t.kind, argv: [...t.argv] };
  return {
    kind: t.kind,
    owner: { type: t.owner.type, path: t.owner.path },
    key: t.key,
    protected: t.protected,
    environment_scope: t.environment_scope,
  };
}

function unmanagedJson(u: UnmanagedRunner): unknown {
  return {
    address: u.address,
    scope: scopeJson(u.scope),
    description: u.description,
    runner_id: u.runner_id,
    status: u.status,
    contacted_at: u.contacted_at,
  };
}
