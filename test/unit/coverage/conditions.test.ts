import { strict as assert } from 'node:assert';
import { checkInWords, codeSpan, conditionInWords } from '../../../src/coverage/conditions';

describe('branch conditions in words (hints)', () => {
  it('phrases comparisons with the operands as code and the operator in words, for either side', () => {
    assert.equal(conditionInWords('steps.length === 0', true), '`steps.length` is 0');
    assert.equal(conditionInWords('steps.length === 0', false), '`steps.length` is not 0');
    assert.equal(conditionInWords("status !== 'PAUSED'", true), "`status` is not `'PAUSED'`");
    assert.equal(conditionInWords('amount > this.balance()', true), '`amount` is greater than `this.balance()`');
    assert.equal(conditionInWords('amount > this.balance()', false), '`amount` is at most `this.balance()`');
    assert.equal(conditionInWords('score >= 0.7', false), '`score` is less than 0.7');
    assert.equal(conditionInWords('n < -1', true), '`n` is less than -1');
    assert.equal(conditionInWords('n <= limit', false), '`n` is greater than `limit`');
  });

  it('reads negations, membership, patterns and type checks the way a person would say them', () => {
    assert.equal(conditionInWords('!from.includes(session.status)', true), '`session.status` is not in `from`');
    assert.equal(conditionInWords('seen.has(id)', true), '`id` is in `seen`');
    assert.equal(conditionInWords('!/^https?:/.test(url)', true), '`url` does not match `/^https?:/`');
    assert.equal(conditionInWords("typeof value === 'object'", true), '`value` is an object');
    assert.equal(conditionInWords("typeof value !== 'string'", true), '`value` is not a string');
    assert.equal(conditionInWords('Array.isArray(rows)', false), '`rows` is not an array');
    assert.equal(conditionInWords('err instanceof GovernanceError', false), '`err` is not a GovernanceError');
    assert.equal(conditionInWords('opts == null', true), '`opts` is null or undefined');
    assert.equal(conditionInWords('opts != null', true), '`opts` is set (not null or undefined)');
    assert.equal(conditionInWords('url.startsWith(prefix)', false), '`url` does not start with `prefix`');
    assert.equal(conditionInWords("'grant' in payload", true), "`payload` has `'grant'` key");
  });

  it('splits && and || by De Morgan for the side not taken, and says truthy / true for plain values and calls', () => {
    assert.equal(conditionInWords('a && !b', true), '`a` is truthy and `b` is falsy');
    assert.equal(conditionInWords('a && !b', false), '`a` is falsy or `b` is truthy');
    assert.equal(conditionInWords('!(x > 1 || y)', true), '`x` is at most 1 and `y` is falsy');
    assert.equal(conditionInWords('options.strict', false), '`options.strict` is falsy');
    assert.equal(conditionInWords('isValid(input)', true), '`isValid(input)` is true');
  });

  it('quotes what does not parse as one expression, and fences code that holds backticks', () => {
    assert.equal(conditionInWords('a ===', true), '`a ===` is true');
    assert.equal(codeSpan('a`b'), '`` a`b ``');
    assert.equal(conditionInWords('!/^[`\\w]+$/.test(name)', true), '`name` does not match `` /^[`\\w]+$/ ``');
  });

  it('says a condition plainly for a test title: no code spans, a regular expression as "the pattern"', () => {
    assert.equal(conditionInWords('!/^[`\\w]+$/.test(name)', true, { brief: true }), 'name does not match the pattern');
    assert.equal(conditionInWords('steps.length === 0', true, { brief: true }), 'steps.length is 0');
    assert.equal(conditionInWords("status !== 'PAUSED'", false, { brief: true }), "status is 'PAUSED'");
    assert.equal(conditionInWords('a ===', true, { brief: true }), 'a === is true');
  });

  it('reads a returned yes/no check as what it checks, and nothing else as a check', () => {
    assert.equal(checkInWords('redirectStatus.has(code)'), '`code` is in `redirectStatus`');
    assert.equal(checkInWords('redirectStatus.has(code)', { brief: true }), 'code is in redirectStatus');
    assert.equal(checkInWords('count > limit'), '`count` is greater than `limit`');
    assert.equal(checkInWords('!session'), '`session` is falsy');
    assert.equal(checkInWords('String(body)'), undefined);
    assert.equal(checkInWords('a || b'), undefined);
    assert.equal(checkInWords('{ ok: true }'), undefined);
  });
});
