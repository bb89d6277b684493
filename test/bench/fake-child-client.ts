// The benchmark's handle on the fake GitLab running in a child process (fake-child.ts).
import { fork, type ChildProcess } from 'node:child_process';
import type { Seed } from '../fake-gitlab/seed.js';
import type { ChildReply, ChildRequest } from './fake-child.js';

/** The fake GitLab in a child process, driven over IPC. */
export class FakeChild {
  private readonly child: ChildProcess;
  private constructor() {
    this.child = fork(new URL('./fake-child.js', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  static async start(seed: Seed): Promise<{ fake: FakeChild; url: string }> {
    const fake = new FakeChild();
    const reply = await fake.call({ cmd: 'start', seed });
    return { fake, url: reply.url! };
  }
  call(msg: ChildRequest): Promise<Extract<ChildReply, { ok: true }>> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: ChildReply) => (reply.ok ? resolve(reply) : reject(new Error(reply.error))));
      this.child.send(msg);
    });
  }
  async close(): Promise<void> {
    await this.call({ cmd: 'close' });
    await new Promise((r) => this.child.once('exit', r));
  }
}
