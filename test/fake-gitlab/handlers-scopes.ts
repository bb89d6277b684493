// GET /user, /groups/:id, /projects/:id, /groups/:id/members/all/:user_id.
import { groupRole } from './access.js';
import { arg, me, visibleGroup, visibleProject, type Ctx, type Reply } from './context.js';
import { errors } from './http-io.js';
import { groupEntity, projectEntity, userEntity } from './entities.js';

export function getUser(ctx: Ctx): Reply {
  return { status: 200, body: userEntity(ctx.state, me(ctx)) };
}

export function getGroup(ctx: Ctx): Reply {
  return { status: 200, body: groupEntity(ctx.state, visibleGroup(ctx, arg(ctx, 0))) };
}

export function getProject(ctx: Ctx): Reply {
  return { status: 200, body: projectEntity(ctx.state, visibleProject(ctx, arg(ctx, 0))) };
}

/**
 * GET /groups/:id/members/all/:user_id (lib/api/members.rb): a member of the
 * group, direct or inherited from an ancestor, with its effective access level
 * (Entities::Member); 404 "Member Not Found" for anyone else. Any user who can
 * see the group may ask (read_group_member).
 */
export function getGroupMemberAll(ctx: Ctx): Reply {
  const group = visibleGroup(ctx, arg(ctx, 0));
  const user = ctx.state.users.find((u) => String(u.id) === arg(ctx, 1));
  const level = user ? groupRole(ctx.state, user, group) : 0;
  if (!user || level === 0) throw errors.notFound('Member');
  return {
    status: 200,
    body: {
      id: user.id,
      username: user.username,
      name: user.name,
      state: 'active',
      avatar_url: null,
      web_url: `${ctx.state.webBase}/${user.username}`,
      access_level: level,
      created_at: null,
      expires_at: null,
      membership_state: 'active',
    },
  };
}
