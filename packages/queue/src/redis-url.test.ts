import { parseRedisUrl, redactor } from './redis-url.js';

test('a Redis URL gives host, port, database and TLS, with 6379 and database 0 when left out', () => {
  expect(parseRedisUrl('redis://cache.lan')).toMatchObject({ host: 'cache.lan', port: 6379, db: 0, tls: false, safe: 'redis://cache.lan' });
  expect(parseRedisUrl('rediss://10.0.0.5:7000/3')).toMatchObject({ host: '10.0.0.5', port: 7000, db: 3, tls: true });
});

test('the printable form of a URL hides the user name and the password', () => {
  expect(parseRedisUrl('redis://:hunter2@h:6379/1').safe).toBe('redis://:***@h:6379/1');
  expect(parseRedisUrl('redis://alice:hunter2@h:6379').safe).toBe('redis://***:***@h:6379');
});

test('bad URLs are refused naming the field and what was expected, without repeating the password', () => {
  expect(() => parseRedisUrl('http://:hunter2@h:6379')).toThrow(/field "queue": expected a URL starting redis:\/\/ or rediss:\/\/, found "http:\/\/:\*\*\*@h:6379"/);
  expect(() => parseRedisUrl('redis://h:6379/x')).toThrow(/field "queue": expected a database number/);
  expect(() => parseRedisUrl('not a url :hunter2@')).toThrow(/expected a Redis URL such as redis:\/\/HOST:6379\/0/);
  for (const bad of ['http://:hunter2@h:6379', 'redis://:hunter2@h:6379/x', '//:hunter2@']) {
    expect(() => parseRedisUrl(bad)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  }
});

test('a redactor removes the password, plain and percent-encoded, and the full URL from any message', () => {
  const target = parseRedisUrl('redis://:p%40ss%3Aword@h:6379/0');
  const redact = redactor(target);
  expect(redact(`connect to ${target.url} failed`)).toBe('connect to redis://:***@h:6379/0 failed');
  expect(redact('AUTH p@ss:word rejected; raw p%40ss%3Aword')).toBe('AUTH *** rejected; raw ***');
  expect(redactor(parseRedisUrl('redis://h'))('nothing to hide')).toBe('nothing to hide');
});
