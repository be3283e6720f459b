// The message of the ConfigError loadConfig throws for `env`; fails the test when it throws none.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

export function refusal(env: Readonly<Record<string, string | undefined>>): string {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.name, 'ConfigError');
  return caught.message;
}
