/** `count` evenly spaced values from `from` to `to`, both included (count >= 2). */
export function linspace(from: number, to: number, count: number): number[] {
  if (count < 2) throw new RangeError(`linspace: count must be >= 2, got ${count}`);
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}
