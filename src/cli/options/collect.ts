/** Collects a repeatable option into an array (for commander). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
