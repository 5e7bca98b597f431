import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/sqlite-statement-cache.js';

describe('SQLite statement cache', () => {
  it('reuses a compiled statement for the same SQL and still binds fresh values', () => {
    const raw = new SQLite(':memory:');
    raw.exec('create table t (id integer primary key, name text)');
    const db = withStatementCache(raw);
    const insert = db.prepare('insert into t (name) values (?)');
    expect(db.prepare('insert into t (name) values (?)')).toBe(insert);
    insert.run(['a']);
    insert.run(['b']);
    const select = db.prepare('select name from t where id = ?');
    expect(select.all([1])).toEqual([{ name: 'a' }]);
    expect(db.prepare('select name from t where id = ?').all([2])).toEqual([{ name: 'b' }]);
    db.close();
  });

  it('keeps working after a schema change (SQLite re-prepares the statement)', () => {
    const raw = new SQLite(':memory:');
    raw.exec('create table t (id integer primary key)');
    const db = withStatementCache(raw);
    db.prepare('insert into t default values').run([]);
    raw.exec('alter table t add column note text');
    db.prepare('insert into t default values').run([]);
    expect(db.prepare('select count(*) as n from t').all([])).toEqual([{ n: 2 }]);
    db.close();
  });
});
