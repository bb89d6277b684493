// Merge-request notes: list, create, read, update, delete (what `plan --comment` uses).
import { atLeast, projectRole } from './access.js';
import { arg, me, visibleProject, type Ctx, type Reply } from './context.js';
import { noteEntity } from './entities.js';
import { ApiError, errors, present } from './http-io.js';
import { paginate } from './pagination.js';
import type { MergeRequestRec, NoteRec } from './state.js';

export const NOTE_MAX_LENGTH = 1_000_000;

function mergeRequestOf(ctx: Ctx): MergeRequestRec {
  const project = visibleProject(ctx, arg(ctx, 0));
  const mr = /^\d+$/.test(arg(ctx, 1)) ? ctx.state.mergeRequest(project, Number(arg(ctx, 1))) : undefined;
  if (!mr) throw errors.notFound('Merge Request');
  return mr;
}

/**
 * process_note_creation_result: `bad_request!("Note #{note.errors.messages}")`, the hash
 * printed as Ruby 3.3's Hash#inspect (`{:note=>["…"]}`; Ruby 3.4 would print `{note: ["…"]}`).
 */
function noteInvalid(messages: string[]): ApiError {
  return errors.badRequest(`Note {:note=>[${messages.map((m) => JSON.stringify(m)).join(', ')}]}`);
}

/** Grape's `requires :body, type: String` (checked before anything else). */
function noteBody(ctx: Ctx): string {
  if (!present(ctx.params, 'body')) throw errors.param('body is missing');
  const body = ctx.params.body;
  if (typeof body !== 'string') throw errors.param('body is invalid');
  return body;
}

/** Note's model validations, checked once the merge request is found and the user may write. */
function validateNote(body: string): void {
  if (body.trim() === '') throw noteInvalid(["can't be blank"]);
  // Rails counts characters, not UTF-16 units
  if ([...body].length > NOTE_MAX_LENGTH) throw noteInvalid([`is too long (maximum is ${NOTE_MAX_LENGTH} characters)`]);
}

/** `noteable.notes.find(id)`: a missing note is ActiveRecord's "404 Not found". */
function noteOf(ctx: Ctx, mr: MergeRequestRec): NoteRec {
  const note = mr.notes.find((n) => String(n.id) === arg(ctx, 2));
  if (!note) throw new ApiError(404, { message: '404 Not found' });
  return note;
}

/** admin_note: the author, a Maintainer or Owner of the project (ProjectPolicy), or an admin. */
function requireAdminNote(ctx: Ctx, mr: MergeRequestRec, note: NoteRec): void {
  const user = me(ctx);
  if (user.admin || note.author === user || atLeast(projectRole(ctx.state, user, mr.project), 'maintainer')) return;
  throw errors.forbidden();
}

/** Any project member may comment; guests included, as on GitLab. */
function requireMember(ctx: Ctx, mr: MergeRequestRec): void {
  const user = me(ctx);
  if (!user.admin && !atLeast(projectRole(ctx.state, user, mr.project), 'guest')) throw errors.forbidden();
}

/**
 * Sorted like GitLab's notes API: order_by created_at|updated_at, sort desc (default) or asc.
 * GitLab orders created_at by id; updated_at ties fall back to id.
 */
function sortNotes(ctx: Ctx, notes: NoteRec[]): NoteRec[] {
  const orderBy = ctx.query.order_by ?? 'created_at';
  const sort = ctx.query.sort ?? 'desc';
  if (!['created_at', 'updated_at'].includes(orderBy)) throw errors.param('order_by does not have a valid value');
  if (!['asc', 'desc'].includes(sort)) throw errors.param('sort does not have a valid value');
  const byId = (a: NoteRec, b: NoteRec) => a.id - b.id;
  const byUpdated = (a: NoteRec, b: NoteRec) => (a.updatedAt === b.updatedAt ? a.id - b.id : a.updatedAt < b.updatedAt ? -1 : 1);
  const sorted = [...notes].sort(orderBy === 'created_at' ? byId : byUpdated);
  return sort === 'desc' ? sorted.reverse() : sorted;
}

export function listNotes(ctx: Ctx): Reply {
  const mr = mergeRequestOf(ctx);
  const page = paginate(sortNotes(ctx, mr.notes), ctx.query, ctx.selfUrl);
  return { status: 200, body: page.items.map((n) => noteEntity(ctx.state, mr, n)), headers: page.headers };
}

export function getNote(ctx: Ctx): Reply {
  const mr = mergeRequestOf(ctx);
  return { status: 200, body: noteEntity(ctx.state, mr, noteOf(ctx, mr)) };
}

export function createNote(ctx: Ctx): Reply {
  const body = noteBody(ctx);
  const mr = mergeRequestOf(ctx);
  requireMember(ctx, mr);
  validateNote(body);
  const note = ctx.state.addNote(mr, me(ctx), body);
  return { status: 201, body: noteEntity(ctx.state, mr, note) };
}

export function updateNote(ctx: Ctx): Reply {
  const body = noteBody(ctx);
  const mr = mergeRequestOf(ctx);
  const note = noteOf(ctx, mr);
  requireAdminNote(ctx, mr, note);
  validateNote(body);
  note.body = body;
  // updated_at never goes back, even if the clock does
  const now = new Date().toISOString();
  note.updatedAt = now > note.updatedAt ? now : note.updatedAt;
  return { status: 200, body: noteEntity(ctx.state, mr, note) };
}

export function deleteNote(ctx: Ctx): Reply {
  const mr = mergeRequestOf(ctx);
  const note = noteOf(ctx, mr);
  requireAdminNote(ctx, mr, note);
  mr.notes.splice(mr.notes.indexOf(note), 1);
  return { status: 204 };
}
