import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/engine.js';
import { parsePlan } from '../../src/plan/planfile.js';
import { renderJson } from '../../src/render/json.js';
import { desired, desiredScope, live, liveRunner, liveScope, PROJECT, refOf, richScenario, want } from './fixtures.js';

function planText(): string {
  const { desired, live } = richScenario();
  return renderJson(computePlan(desired, live, { targets: [] }));
}

function edited(edit: (plan: any) => void): string {
  const data = JSON.parse(planText());
  edit(data);
  return JSON.stringify(data);
}

describe('parsePlan', () => {
  it('reads back exactly what renderJson wrote', () => {
    const { desired, live } = richScenario();
    const plan = computePlan(desired, live);
    expect(parsePlan(renderJson(plan))).toEqual(plan);
  });

  it('says clearly when the file is not a plan', () => {
    expect(() => parsePlan('runners:\n  - x')).toThrow(/not a runnerform plan file: it is not JSON/);
    expect(() => parsePlan('{"groups": []}')).toThrow(/not a runnerform plan file: it has no format_version/);
    expect(() => parsePlan('[1,2]')).toThrow(/not a runnerform plan file/);
    expect(() => parsePlan('null')).toThrow(/not a runnerform plan file/);
  });

  it('refuses an unknown format_version', () => {
    expect(() => parsePlan(edited((p) => (p.format_version = 2)))).toThrow(/unsupported plan format_version 2: this runnerform reads format_version 1/);
    expect(() => parsePlan(edited((p) => (p.format_version = '1')))).toThrow(/unsupported plan format_version "1"/);
  });

  it('lists schema violations with their location', () => {
    const text = edited((p) => {
      p.changes[0].action = 'replace';
      delete p.fingerprint;
      p.changes[2].after.tag_list = 'docker';
    });
    expect(() => parsePlan(text)).toThrow(/invalid plan file/);
    expect(() => parsePlan(text)).toThrow(/\/: must have required property 'fingerprint'/);
    expect(() => parsePlan(text)).toThrow(/\/changes\/0\/action: must be one of "create", "update", "delete", "no-op"/);
    expect(() => parsePlan(text)).toThrow(/\/changes\/2\/after\/tag_list: must be array/);
  });

  it('rejects a create that carries a runner id, and an update with nothing changed', () => {
    expect(() => parsePlan(edited((p) => (p.changes[2].runner_id = 5)))).toThrow(/\/changes\/2\/runner_id/);
    expect(() => parsePlan(edited((p) => (p.changes[3].changed = [])))).toThrow(/\/changes\/3\/changed/);
  });

  it('rejects an address that does not match its scope and description, and wrong summary counts', () => {
    expect(() => parsePlan(edited((p) => (p.changes[0].description = 'other')))).toThrow(/\/changes\/0\/address: is .* expected/);
    expect(() => parsePlan(edited((p) => (p.summary.delete = 0)))).toThrow(/\/summary\/delete: is 0, but the plan has 2/);
    expect(() => parsePlan(edited((p) => (p.summary.unmanaged = 3)))).toThrow(/\/summary\/unmanaged/);
  });

  it('reads a plan whose only change enables a runner in a project, counted as update 0, or (as before) 1 read as 0', () => {
    const owner = { id: PROJECT.id!, path: PROJECT.path! };
    const web = { id: 50, path: 'acme/web' };
    const runner = liveRunner(PROJECT, 7, 'pool', {}, { permissions: { update: true, delete: true }, project_count: 1, projects: [owner] });
    const state = { ...live(liveScope(PROJECT, [runner])), enablement: { admin: false, projects: { 'acme/web': web }, maintains: [owner.id, web.id], owners: {} } };
    const pool = { ...want('pool'), also_in: [{ ref: 'acme/web', source: { file: 'runners.yaml', line: 5, column: 9 } }] };
    const text = renderJson(computePlan(desired(desiredScope(refOf(PROJECT), [pool])), state));
    const data = JSON.parse(text);
    expect(data.summary).toMatchObject({ update: 0, enable: 1 });
    expect(parsePlan(text).summary.update).toBe(0);
    // A plan file written before counted it as an update: it reads as counted now, so its summary line
    // agrees with its header ("will be enabled in 1 more project") and with apply's report.
    expect(parsePlan(JSON.stringify({ ...data, summary: { ...data.summary, update: 1 } })).summary.update).toBe(0);
    expect(() => parsePlan(JSON.stringify({ ...data, summary: { ...data.summary, update: 2 } }))).toThrow(/\/summary\/update: is 2, but the plan has 0/);
  });

  it('rejects unknown keys', () => {
    expect(() => parsePlan(edited((p) => (p.token = 'x')))).toThrow(/\/: unknown key "token"/);
  });
});
