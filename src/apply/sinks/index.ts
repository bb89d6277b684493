// Picks the sink for a token destination.
import type { GitLabApi } from '../../gitlab/api.js';
import type { TokenDestination } from '../../model.js';
import { commandSink, type CommandSinkOptions } from './command.js';
import { gitlabVariableSink } from './gitlab-variable.js';
import type { TokenSink } from './sink.js';

export type { DeliverableToken, RunnerRef, TokenSink } from './sink.js';

export interface SinkContext {
  api: GitLabApi;
  command?: CommandSinkOptions;
}

export function sinkFor(dest: TokenDestination, ctx: SinkContext): TokenSink {
  switch (dest.kind) {
    case 'gitlab_variable':
      return gitlabVariableSink(ctx.api, dest);
    case 'command':
      return commandSink(dest, ctx.command);
  }
}
