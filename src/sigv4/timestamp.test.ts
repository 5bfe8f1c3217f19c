import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './timestamp.js';

describe('parseAmzDate', () => {
  const cases: Array<[string, string | undefined]> = [
    ['20150830T123600Z', '2015-08-30T12:36:00.000Z'],
    ['20160229T000000Z', '2016-02-29T00:00:00.000Z'],
    ['20150229T000000Z', undefined],
    ['20150830T246000Z', undefined],
    ['20150830T123600', undefined],
    ['2015-08-30T12:36:00Z', undefined],
    ['201', undefined],
    ['', undefined],
  ];
  for (const [value, expected] of cases) {
    it(JSON.stringify(value), () => assert.equal(parseAmzDate(value)?.toISOString(), expected));
  }
});

describe('parseHttpDate', () => {
  it('reads IMF-fixdate to whole seconds', () => {
    assert.equal(parseHttpDate('Sun, 30 Aug 2015 12:36:00 GMT')?.toISOString(), '2015-08-30T12:36:00.000Z');
  });
  it('rejects nonsense', () => assert.equal(parseHttpDate('yesterday'), undefined));
});

describe('formatAmzDate', () => {
  it('drops separators and milliseconds', () => {
    assert.equal(formatAmzDate(new Date('2015-08-30T12:36:00.789Z')), '20150830T123600Z');
  });
});
