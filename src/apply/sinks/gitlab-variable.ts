// token: { gitlab_variable: … } — a masked and hidden CI/CD variable of a project
// or group, created or (when it exists) given the new value. Its description
// names the runner (variable-description.ts): that is the plan's evidence later.
import type { GitLabApi, VariableOwner } from '../../gitlab/api.js';
import { describeDestination, expandKey, type VariableDestination } from '../../plan/token-dest.js';
import type { RunnerRef, TokenSink } from './sink.js';
import { replacingDescription, runnerIdOfDescription, variableDescription } from './variable-description.js';

/** A create whose answer was lost may have happened: look again, then update. */
const ATTEMPTS = 3;

export function gitlabVariableSink(api: GitLabApi, dest: VariableDestination): TokenSink {
  const owner: VariableOwner = { type: dest.owner.type, idOrPath: dest.owner.path };
  const keyOf = (t: RunnerRef) => expandKey(dest.key, t.description);
  return {
    describe: (t) => describeDestination(dest, { description: t.description, id: t.runner_id, scope: t.scope }),
    withdraw: async (r) => {
      const key = keyOf(r);
      const existing = await api.getVariable(owner, key, dest.environment_scope);
      // Absent or naming another runner: already evidence that it lacks this runner's token.
      if (!existing || runnerIdOfDescription(existing.description) !== r.runner_id) return;
      await api.updateVariable(owner, key, dest.environment_scope, { description: replacingDescription(r.runner_id, r.address) });
    },
    deliver: async (t) => {
      const key = keyOf(t);
      const description = variableDescription(t.runner_id, t.address);
      for (let attempt = 1; ; attempt++) {
        const existing = await api.getVariable(owner, key, dest.environment_scope);
        try {
          if (existing) {
            await api.updateVariable(owner, key, dest.environment_scope, { value: t.token, masked: true, protected: dest.protected, raw: true, description });
          } else {
            await api.createVariable(owner, {
              key,
              value: t.token,
              masked: true,
              masked_and_hidden: true,
              protected: dest.protected,
              raw: true,
              environment_scope: dest.environment_scope,
              description,
            });
          }
          return;
        } catch (err) {
          // Lost answer (may have been applied) or a create racing another: the next look decides.
          const e = err as { maybeApplied?: boolean; kind?: string };
          if (attempt >= ATTEMPTS || !(e.maybeApplied || (!existing && e.kind === 'validation'))) throw err;
        }
      }
    },
  };
}

/** The runner id the variable's description names; null when the variable is absent or names none. */
export async function variableNamesRunner(api: GitLabApi, dest: VariableDestination, description: string): Promise<number | null> {
  const v = await api.getVariable({ type: dest.owner.type, idOrPath: dest.owner.path }, expandKey(dest.key, description), dest.environment_scope);
  return v ? runnerIdOfDescription(v.description) : null;
}
