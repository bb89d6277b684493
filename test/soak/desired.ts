// The soak's desired state: a few groups and projects whose runners are added,
// removed, renamed and changed every cycle, rendered as runners.yaml.
import { dump } from 'js-yaml';
import type { Rng } from './rng.js';

/** What the CLI under test accepts in runners.yaml (probed with `validate` at start). */
export interface Features {
  renamedFrom: boolean;
  /** `also_in:` on project runners (also-in.ts). */
  alsoIn?: boolean;
  tokenCommand: boolean;
  tokenVariable: boolean;
}

export type SoakDestination =
  | { kind: 'command'; argv: string[] }
  | { kind: 'gitlab_variable'; project: string; key: string };

export interface SoakRunner {
  description: string;
  attrs: Record<string, unknown>;
  renamedFrom: string[];
  token: SoakDestination | null;
  /** Project runners: the other projects it is enabled in (also-in.ts); undefined: not managed. */
  alsoIn?: string[];
}

export interface SoakScope {
  kind: 'group' | 'project';
  path: string;
  prune: boolean;
  runners: SoakRunner[];
}

/** Where `command` and `gitlab_variable` destinations deliver (set up by main). */
export interface DestinationSetup {
  commandArgv: string[];
  variableProject: string;
  /** Keep a renamed runner's variable key (written literally) instead of deriving it from the new description. */
  stableKeys?: boolean;
}

const TAGS = ['docker', 'linux', 'amd64', 'arm64', 'gpu', 'large', 'small', 'spot'];
const TIMEOUTS = [600, 1800, 3600, 7200];
const WORDS = ['build', 'test', 'deploy', 'lint', 'cache', 'e2e', 'docs', 'pkg'];

export const SCOPE_PATHS: { groups: readonly [string, string, string]; projects: readonly [string, string] } = {
  groups: ['soak/g1', 'soak/g2', 'soak/g3'],
  projects: ['soak/g1/app', 'soak/g2/svc'],
};

/** Caps the declared runners so a long run does not grow without bound. */
const MAX_DECLARED = 36;

export class DesiredModel {
  readonly scopes: SoakScope[];
  private counter = 0;

  constructor(
    private readonly features: Features,
    private readonly dest: DestinationSetup,
  ) {
    this.scopes = [
      { kind: 'group', path: SCOPE_PATHS.groups[0], prune: true, runners: [] },
      { kind: 'group', path: SCOPE_PATHS.groups[1], prune: false, runners: [] },
      { kind: 'group', path: SCOPE_PATHS.groups[2], prune: true, runners: [] },
      { kind: 'project', path: SCOPE_PATHS.projects[0], prune: true, runners: [] },
      { kind: 'project', path: SCOPE_PATHS.projects[1], prune: false, runners: [] },
    ];
  }

  declaredCount(): number {
    return this.scopes.reduce((n, s) => n + s.runners.length, 0);
  }

  /** One cycle's edits; returns a short summary like "+5 -2 r1 ~3 prune(soak/g3)=false". */
  mutate(rng: Rng): string {
    const notes: string[] = [];
    // Last cycle's renamed_from has done its job (the plan would say it can go).
    for (const s of this.scopes) for (const r of s.runners) r.renamedFrom = [];

    let removed = 0;
    const removals = rng.int(0, 2) + Math.max(0, this.declaredCount() - MAX_DECLARED + 6);
    for (let i = 0; i < removals && this.declaredCount() > 0; i++) {
      const s = rng.pick(this.scopes.filter((x) => x.runners.length > 0));
      s.runners.splice(rng.int(0, s.runners.length - 1), 1);
      removed++;
    }

    let renamed = 0;
    for (let i = rng.int(0, 2); i > 0 && this.declaredCount() > 0; i--) {
      const s = rng.pick(this.scopes.filter((x) => x.runners.length > 0));
      const r = rng.pick(s.runners);
      const old = r.description;
      r.description = this.newDescription(rng);
      if (this.features.renamedFrom) r.renamedFrom = [old];
      // A key written as RUNNER_TOKEN_{description} follows the rename; --stable-keys keeps the key as written.
      if (r.token?.kind === 'gitlab_variable' && !this.dest.stableKeys) r.token = this.destinationFor(r.description, rng, r.token.kind);
      renamed++;
    }

    let changed = 0;
    for (let i = rng.int(1, 3); i > 0 && this.declaredCount() > 0; i--) {
      const s = rng.pick(this.scopes.filter((x) => x.runners.length > 0));
      const r = rng.pick(s.runners);
      r.attrs = { ...r.attrs, ...randomAttrs(rng, 1) };
      changed++;
    }

    const adds = rng.int(3, 8);
    for (let i = 0; i < adds; i++) {
      const s = rng.pick(this.scopes);
      const description = this.newDescription(rng);
      s.runners.push({ description, attrs: randomAttrs(rng, rng.int(1, 4)), renamedFrom: [], token: this.destinationFor(description, rng) });
    }

    notes.push(`+${adds}`, `-${removed}`, `r${renamed}`, `~${changed}`);
    if (rng.chance(0.25)) {
      const s = rng.pick(this.scopes);
      s.prune = !s.prune;
      notes.push(`prune(${s.path})=${s.prune}`);
    }
    return notes.join(' ');
  }

  private newDescription(rng: Rng): string {
    this.counter++;
    return `${rng.pick(WORDS)}-${String(this.counter).padStart(3, '0')}`;
  }

  /** A mix of destinations once the CLI has them; null means the --tokens-out journal only. */
  private destinationFor(description: string, rng: Rng, force?: SoakDestination['kind']): SoakDestination | null {
    const kinds: Array<SoakDestination['kind'] | null> = [null];
    if (this.features.tokenCommand) kinds.push('command');
    if (this.features.tokenVariable) kinds.push('gitlab_variable');
    const kind = force ?? rng.pick(kinds);
    if (kind === 'command') return { kind, argv: this.dest.commandArgv };
    if (kind === 'gitlab_variable') {
      return { kind, project: this.dest.variableProject, key: `RUNNER_TOKEN_${description.toUpperCase().replace(/[^A-Z0-9]/g, '_')}` };
    }
    return null;
  }

  toYaml(): string {
    const scopeDoc = (s: SoakScope) => ({
      path: s.path,
      prune: s.prune,
      runners: s.runners.map((r) => ({
        description: r.description,
        ...(r.renamedFrom.length ? { renamed_from: r.renamedFrom.length === 1 ? r.renamedFrom[0] : r.renamedFrom } : {}),
        ...r.attrs,
        ...(r.token ? { token: tokenDoc(r.token) } : {}),
        ...(r.alsoIn !== undefined ? { also_in: r.alsoIn } : {}),
      })),
    });
    const doc = {
      version: 1,
      groups: this.scopes.filter((s) => s.kind === 'group').map(scopeDoc),
      projects: this.scopes.filter((s) => s.kind === 'project').map(scopeDoc),
    };
    return `# written by the soak test; rewritten every cycle\n${dump(doc, { lineWidth: 200, noRefs: true })}`;
  }
}

function tokenDoc(d: SoakDestination): Record<string, unknown> {
  if (d.kind === 'command') return { command: d.argv };
  return { gitlab_variable: { project: d.project, key: d.key } };
}

/** Some attributes (others left unmanaged); run_untagged false always comes with tags. */
function randomAttrs(rng: Rng, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pool = ['tag_list', 'paused', 'locked', 'maximum_timeout', 'access_level', 'maintenance_note', 'run_untagged'];
  for (let i = 0; i < n; i++) {
    const name = rng.pick(pool);
    switch (name) {
      case 'tag_list': {
        const tags = new Set<string>();
        for (let k = rng.int(1, 3); k > 0; k--) tags.add(rng.pick(TAGS));
        out.tag_list = [...tags].sort();
        break;
      }
      case 'paused':
      case 'locked':
        out[name] = rng.chance(0.5);
        break;
      case 'maximum_timeout':
        out.maximum_timeout = rng.pick(TIMEOUTS);
        break;
      case 'access_level':
        out.access_level = rng.pick(['not_protected', 'ref_protected']);
        break;
      case 'maintenance_note':
        out.maintenance_note = `soak note ${rng.int(1, 99)}`;
        break;
      case 'run_untagged':
        out.run_untagged = true;
        break;
    }
  }
  return out;
}
