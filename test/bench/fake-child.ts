// The fake GitLab in a child process for the benchmark, so its memory is not
// counted with the client's. Driven over IPC: start, stats, reset, close.
import type { Seed } from '../fake-gitlab/seed.js';
import { startFakeGitLab, type FakeGitLab, type GraphQLStats } from '../fake-gitlab/server.js';

export type ChildRequest =
  | { cmd: 'start'; seed: Seed }
  | { cmd: 'stats' }
  | { cmd: 'reset' }
  | { cmd: 'close' };

export type ChildReply =
  | { ok: true; url?: string; requests?: number; peakConcurrency?: number; graphql?: GraphQLStats }
  | { ok: false; error: string };

let fake: FakeGitLab | undefined;

async function handle(msg: ChildRequest): Promise<ChildReply> {
  switch (msg.cmd) {
    case 'start':
      fake = await startFakeGitLab(msg.seed);
      return { ok: true, url: fake.url };
    case 'stats':
      return { ok: true, requests: fake!.requests.length, peakConcurrency: fake!.peakConcurrency(), graphql: fake!.graphqlStats() };
    case 'reset':
      fake!.resetStats();
      return { ok: true };
    case 'close':
      await fake?.close();
      fake = undefined;
      return { ok: true };
  }
}

process.on('message', (msg: ChildRequest) => {
  handle(msg).then(
    (reply) => {
      process.send!(reply);
      if (msg.cmd === 'close') process.disconnect();
    },
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
