// Golden files of rendered plans. Compared byte for byte; regenerate with
//   UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
// and review the diff like any other change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DesiredState, LiveState, TokenEvidence } from '../../src/model.js';
import { computePlan } from '../../src/plan/engine.js';
import { renderJson } from '../../src/render/json.js';
import { renderGitlabReport, renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { parsePlan } from '../../src/plan/planfile.js';
import { rotationPlan } from '../../src/plan/rotation.js';
import type { Plan } from '../../src/model.js';
import {
  duplicateScenario,
  emptyGitlabScenario,
  failedDeliveryScenario,
  hostileScenario,
  noChangesScenario,
  richScenario,
  rotateScenario,
  tokensScenario,
} from '../plan/fixtures.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(scenario: string, file: string, actual: string): void {
  const path = join(GOLDEN_DIR, scenario, file);
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; create it with UPDATE_GOLDEN=1`);
  expect(actual, `${scenario}/${file} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

type Scenario = { desired: DesiredState; live: LiveState; now?: Date; evidence?: TokenEvidence };

const scenarios: Record<string, { make: () => Scenario; targets?: string[] }> = {
  rich: { make: richScenario },
  'empty-gitlab': { make: emptyGitlabScenario },
  'no-changes': { make: noChangesScenario },
  targeted: { make: richScenario, targets: ['group["acme/platform"].runner["docker-arm64"]', 'project[42]'] },
  hostile: { make: hostileScenario },
  tokens: { make: tokensScenario },
};

/** Every rendering of one plan; its JSON reads back (schema and consistency checks) as the same plan. */
function goldenPlan(name: string, plan: Plan): void {
  expect(parsePlan(renderJson(plan))).toEqual(plan);
  golden(name, 'plan.txt', renderText(plan, { color: false, source: 'runners.yaml' }));
  golden(name, 'plan.color.txt', renderText(plan, { color: true, source: 'runners.yaml' }));
  golden(name, 'plan.md', renderMarkdown(plan, { source: 'runners.yaml' }));
  golden(name, 'plan.json', renderJson(plan));
  golden(name, 'report.json', renderGitlabReport(plan));
}

describe('golden plans', () => {
  it('after-failed-delivery', () => {
    const { desired, live, evidence } = failedDeliveryScenario();
    goldenPlan('after-failed-delivery', computePlan(desired, live, { evidence }));
  });
  it('duplicate', () => {
    const { desired, live } = duplicateScenario();
    goldenPlan('duplicate', computePlan(desired, live));
  });
  it('rotate', () => {
    const { desired, live, addresses } = rotateScenario();
    goldenPlan('rotate', rotationPlan(computePlan(desired, live), desired, live, addresses));
  });
  for (const [name, { make, targets }] of Object.entries(scenarios)) {
    it(name, () => {
      const { desired, live, now, evidence } = make();
      const plan = computePlan(desired, live, { targets, now, evidence });
      golden(name, 'plan.txt', renderText(plan, { color: false, source: 'runners.yaml' }));
      golden(name, 'plan.color.txt', renderText(plan, { color: true, source: 'runners.yaml' }));
      golden(name, 'plan.md', renderMarkdown(plan, { source: 'runners.yaml' }));
      golden(name, 'plan.json', renderJson(plan));
      golden(name, 'report.json', renderGitlabReport(plan));
    });
  }
});
