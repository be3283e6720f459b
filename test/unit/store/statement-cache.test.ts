import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { cachingStatements } from '../../../src/store/sqlite/statement-cache.js';

describe('the SQLite statement cache', () => {
  let database: BetterSqlite3.Database;
  let prepared: string[];

  beforeEach(() => {
    database = new BetterSqlite3(':memory:');
    database.exec('create table t (n integer)');
    prepared = [];
    const prepare = database.prepare.bind(database);
    database.prepare = (sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    };
  });
  afterEach(() => {
    if (database.open) database.close();
  });

  it('prepares each SQL text once and binds new parameters on every use', () => {
    const cached = cachingStatements(database);
    for (const n of [1, 2, 3]) cached.prepare('insert into t (n) values (?)').run([n]);
    const rows = cached.prepare('select n from t where n >= ? order by n').all([2]);
    assert.deepEqual(rows, [{ n: 2 }, { n: 3 }]);
    assert.deepEqual(prepared, [
      'insert into t (n) values (?)',
      'select n from t where n >= ? order by n',
    ]);
  });

  it('keeps only the most recently used texts', () => {
    const cached = cachingStatements(database, 2);
    for (const sql of ['select 1', 'select 2', 'select 1', 'select 3', 'select 1', 'select 2']) {
      cached.prepare(sql).all([]);
    }
    // `select 2` was the least recently used when `select 3` came, so it is prepared again.
    assert.deepEqual(prepared, ['select 1', 'select 2', 'select 3', 'select 2']);
  });

  it('gives a statement of its own to a text whose cached statement is still being iterated', () => {
    const cached = cachingStatements(database);
    cached.prepare('insert into t (n) values (?)').run([1]);
    cached.prepare('insert into t (n) values (?)').run([2]);
    const outer = cached.prepare('select n from t order by n').iterate([]);
    const seen: unknown[] = [];
    for (const row of outer) seen.push([row, cached.prepare('select n from t order by n').all([])]);
    assert.equal(seen.length, 2);
    assert.equal(prepared.filter((sql) => sql === 'select n from t order by n').length, 3);
  });

  it('closes the database', () => {
    cachingStatements(database).close();
    assert.equal(database.open, false);
  });
});
