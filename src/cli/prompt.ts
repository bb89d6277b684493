// The Terraform-style confirmation: only the exact word "yes" approves.
import { createInterface } from 'node:readline/promises';

export async function confirmApply(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<boolean> {
  const rl = createInterface({ input, output });
  try {
    output.write('\nDo you want to perform these actions?\n  runnerform will perform the actions described above.\n');
    const answer = await rl.question("  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
