import { formatDuration, formatNumber, formatPercentOfFraction, formatValue } from '../../src/util/format.ts';

describe('formatNumber: significant digits by magnitude', () => {
  test.each([
    [90.60402684563759, '90.6'],
    [99.59539371304076, '99.6'],
    [99.86, '99.86'],
    [97, '97'],
    [120.5, '120.5'],
    [412.345, '412.3'],
    [1234.5, '1235'],
    [48210.4, '48210'],
    [1_234_567, '1.23e6'],
    [0.5, '0.5'],
    [0.9994, '0.9994'],
    [0.0234567, '0.02346'],
    [0.0031234, '0.003123'],
    [0.00001234, '1.23e-5'],
    [0, '0'],
    [-3.14159, '-3.142'],
    [Infinity, '∞'],
    [-Infinity, '-∞'],
  ])('%p reads %p', (v, text) => {
    expect(formatNumber(v)).toBe(text);
  });

  test('a missing value reads as the given placeholder', () => {
    expect(formatNumber(undefined)).toBe('–');
    expect(formatNumber(NaN, 'no data')).toBe('no data');
  });
});

describe('formatValue: units', () => {
  test('percent sticks to the number, other units are spaced, no unit for missing values', () => {
    expect(formatValue(96.4, '%')).toBe('96.4%');
    expect(formatValue(412.34, 'ms')).toBe('412.3 ms');
    expect(formatValue(3, '')).toBe('3');
    expect(formatValue(undefined, 'ms', 'no data')).toBe('no data');
  });

  test('a fraction is shown as the percent it is (20% vs 0.3%, not 0.2% vs 0.003%)', () => {
    expect(formatPercentOfFraction(0.2)).toBe('20%');
    expect(formatPercentOfFraction(0.003)).toBe('0.3%');
    expect(formatPercentOfFraction(NaN)).toBe('–');
  });
});

test('formatDuration: seconds, minutes, hours', () => {
  expect(formatDuration(45_000)).toBe('45s');
  expect(formatDuration(185_000)).toBe('3m 05s');
  expect(formatDuration(7_800_000)).toBe('2h 10m');
  expect(formatDuration(-1)).toBe('–');
});
