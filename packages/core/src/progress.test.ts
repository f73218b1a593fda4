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

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => { ms += seconds * 1000; } };
}

test('a resumed bar counts the units already done as done but not as throughput, so its ETA is the remaining work at this run\'s rate', () => {
  const { stream, lines } = sink(false);
  const t = clock();
  const p = new Progress({ label: 'sweep', total: 100, unit: 'runs', stream, logEverySeconds: 0, alreadyDone: 90, now: t.now });
  t.advance(10);
  p.tick();
  // By hand: 1 run in 10 s is 0.1 runs/s; 9 runs left take 90 s. Counting the 90 resumed runs would say 1 s.
  expect(lines.at(-1)).toMatch(/^sweep \[#{22}\.{2}\] 91\/100 0\.10 runs\/s elapsed 0:10 eta 1:30\n$/);
});

test('a resumed bar with nothing new done yet shows an unknown ETA, not zero', () => {
  const { stream, lines } = sink(false);
  const t = clock();
  const p = new Progress({ label: 'train', total: 10, unit: 'steps', stream, logEverySeconds: 0, alreadyDone: 5, now: t.now });
  t.advance(3);
  p.set(5, 'resumed');
  expect(lines.at(-1)).toMatch(/ 5\/10 0\.00 steps\/s elapsed 0:03 eta --:-- resumed\n$/);
});

test('a fresh bar\'s rate and ETA come from every unit it counted', () => {
  const { stream, lines } = sink(false);
  const t = clock();
  const p = new Progress({ label: 'work', total: 8, stream, logEverySeconds: 0, now: t.now });
  t.advance(4);
  p.tick(2);
  // 2 units in 4 s = 0.5/s; 6 left take 12 s.
  expect(lines.at(-1)).toMatch(/ 2\/8 0\.50 it\/s elapsed 0:04 eta 0:12\n$/);
});
