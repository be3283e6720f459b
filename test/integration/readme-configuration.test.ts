import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { variables } from '../../src/config/index.js';

describe('the README', () => {
  it('documents every configuration variable in its table', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(variables).filter((name) => !readme.includes(`| \`${name}\``));
    assert.deepEqual(missing, []);
  });

  it('keeps the two Quick start commands exactly', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes('npm install && npm start'));
    assert.ok(readme.includes('npm install && npm test'));
  });
});
