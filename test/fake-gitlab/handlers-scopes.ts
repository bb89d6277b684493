// GET /user, /groups/:id, /projects/:id.
import { me, visibleGroup, visibleProject, type Ctx, type Reply } from './context.js';
import { groupEntity, projectEntity, userEntity } from './entities.js';

export function getUser(ctx: Ctx): Reply {
  return { status: 200, body: userEntity(ctx.state, me(ctx)) };
}

export function getGroup(ctx: Ctx): Reply {
  return { status: 200, body: groupEntity(ctx.state, visibleGroup(ctx, ctx.args[0])) };
}

export function getProject(ctx: Ctx): Reply {
  return { status: 200, body: projectEntity(ctx.state, visibleProject(ctx, ctx.args[0])) };
}
