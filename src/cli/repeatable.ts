/** Commander argument parser for a repeatable option: `--x a --x b` → ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
