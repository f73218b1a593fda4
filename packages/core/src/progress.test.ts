import { Progress, formatDuration } from './progress.js';

function sink(tty: boolean) {
  const lines: string[] = [];
  return { stream: { isTTY: tty, write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, lines };
}

test('a log-mode bar prints the finished state once, with count, rate and ETA fields', () => {
  const { stream, lines } = sink(false);
  const p = new Progress({ label: 'work', total: 3, unit: 'steps', stream, logEverySeconds: 1000 });
  p.tick();
  p.tick();
  p.tick(1, 'loss 0.5');
  p.finish();
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(/^work \[#+\] 3\/3 [\d.]+ steps\/s elapsed \d+:\d\d eta \d+:\d\d loss 0\.5\n$/);
});

test('durations print as m:ss or h:mm:ss, and unknown as --:--', () => {
  expect(formatDuration(75)).toBe('1:15');
  expect(formatDuration(3723)).toBe('1:02:03');
  expect(formatDuration(NaN)).toBe('--:--');
});
