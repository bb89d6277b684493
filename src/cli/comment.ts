// `plan --comment`: one note per merge request, refreshed on every push.
import type { GitLabApi } from '../gitlab/api.js';
import { NOTE_MARKER, composeNote } from '../render/note.js';
import { UserError } from '../errors.js';

export interface MergeRequestRef {
  projectId: string;
  iid: number;
  jobUrl?: string;
}

/** The merge request of the current GitLab CI pipeline, from GitLab's predefined variables. */
export function mergeRequestFromEnv(env: NodeJS.ProcessEnv = process.env): MergeRequestRef {
  const projectId = env.CI_PROJECT_ID;
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  if (!projectId || !Number.isInteger(iid) || iid <= 0) {
    throw new UserError(
      '--comment works in a merge-request pipeline: CI_PROJECT_ID and CI_MERGE_REQUEST_IID are not set (add `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"` to the job).',
    );
  }
  return { projectId, iid, jobUrl: env.CI_JOB_URL || undefined };
}

/** Creates the plan note, or updates the one this user made before. */
export async function upsertPlanNote(
  api: GitLabApi,
  mr: MergeRequestRef,
  markdown: string,
): Promise<{ action: 'created' | 'updated'; noteId: number }> {
  const body = composeNote(markdown, { jobUrl: mr.jobUrl });
  const [me, notes] = await Promise.all([api.currentUser(), api.listMergeRequestNotes(mr.projectId, mr.iid)]);
  const mine = notes
    .filter((n) => !n.system && n.body.startsWith(NOTE_MARKER) && (!n.author || n.author.id === me.id))
    .sort((a, b) => a.id - b.id)[0];
  if (mine) {
    await api.updateMergeRequestNote(mr.projectId, mr.iid, mine.id, body);
    return { action: 'updated', noteId: mine.id };
  }
  const created = await api.createMergeRequestNote(mr.projectId, mr.iid, body);
  return { action: 'created', noteId: created.id };
}
