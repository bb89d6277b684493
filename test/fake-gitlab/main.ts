// `node dist/test/fake-gitlab/main.js --seed FILE [--port N] [--host H]`:
// serves the fake GitLab until SIGINT/SIGTERM (for the demo, benchmark, conformance).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Seed } from './seed.js';
import { startFakeGitLab } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  if (!values.seed) {
    process.stderr.write('usage: main.js --seed FILE [--port N] [--host 127.0.0.1]\n');
    process.exit(2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port ${values.port}\n`);
    process.exit(2);
  }
  const seed = JSON.parse(readFileSync(values.seed, 'utf8')) as Seed;
  const fake = await startFakeGitLab(seed, { port, host: values.host });
  process.stdout.write(`fake GitLab listening on ${fake.url}\n`);
  const stop = () => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake GitLab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
