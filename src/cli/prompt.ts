// The Terraform-style confirmation: only the exact word "yes" approves, and only
// from someone who could read the plan: once standard output is gone (`apply |
// head -2`: the rest of the plan and the prompt went nowhere), no answer approves.
import { createInterface } from 'node:readline/promises';
import { outputLost } from './output.js';

export async function confirmApply(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<boolean> {
  if (!(await written(output, '\nDo you want to perform these actions?\n  runnerform will perform the actions described above.\n'))) return false;
  const rl = createInterface({ input, output });
  let answer: string;
  try {
    answer = await rl.question("  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
  } finally {
    rl.close();
  }
  // A pipe's reader may quit after the prompt reached its buffer: a write after the answer tells.
  return answer.trim() === 'yes' && (await written(output, '\n'));
}

/** Writes `text`; false when the stream failed this write or an earlier one. */
function written(output: NodeJS.WriteStream, text: string): Promise<boolean> {
  if (outputLost(output)) return Promise.resolve(false);
  return new Promise((resolve) => output.write(text, (err) => resolve(!err && !outputLost(output))));
}
