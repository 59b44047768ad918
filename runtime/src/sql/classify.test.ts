import { beforeAll, describe, expect, it } from 'vitest';
import { classify } from './classify';
import { loadSqlParser } from './parser';
import { isEmptyStatement, leadingKeyword, mayHoldSeveralStatements } from './tokenizer';

beforeAll(() => loadSqlParser());

const effects = (sql: string) => classify(sql).statements.flat();

describe('tokenizer', () => {
  it('finds the leading keyword past white space and comments, in any case, and only a whole word', () => {
    const words = ['SELECT', 'UPDATE', 'WITH'];
    expect(leadingKeyword('  /* a /* nested */ comment */ -- line\n  select  1', words)).toBe('SELECT');
    expect(leadingKeyword('uPdAtE t SET x = 1', words)).toBe('UPDATE');
    expect(leadingKeyword('Update_x', words)).toBeUndefined();
    expect(leadingKeyword('selec 1', words)).toBeUndefined();
    expect(leadingKeyword('create temporary table t (x int)', words)).toBeUndefined();
    expect(leadingKeyword('(select 1)', words)).toBeUndefined();
    expect(leadingKeyword(' -- only a comment', words)).toBeUndefined();
    // Characters that become letters only by a wider case rule are not letters here.
    expect(leadingKeyword('ſelect 1', words)).toBeUndefined();
  });

  it('knows empty statements and possible statement lists', () => {
    expect(isEmptyStatement(' ; -- nothing\n ;')).toBe(true);
    expect(isEmptyStatement('select')).toBe(false);
    expect(mayHoldSeveralStatements('select 1;')).toBe(false);
    expect(mayHoldSeveralStatements('select 1; select 2')).toBe(true);
  });
});

describe('classify', () => {
  it('takes the fast path for plain reads and writes', () => {
    expect(classify('SELECT * FROM t WHERE id = $1')).toEqual({ readOnly: true, statements: [[]] });
    expect(classify('insert into t values (1)')).toEqual({ readOnly: false, statements: [[]] });
    expect(classify('UPDATE t SET a = 1')).toEqual({ readOnly: false, statements: [[]] });
  });

  it('sees transaction control', () => {
    expect(effects('BEGIN')).toEqual([{ kind: 'begin' }]);
    expect(effects('start transaction isolation level serializable')).toEqual([{ kind: 'begin' }]);
    expect(effects('COMMIT')).toEqual([{ kind: 'commit' }]);
    expect(effects('end')).toEqual([{ kind: 'commit' }]);
    expect(effects('ROLLBACK')).toEqual([{ kind: 'rollback' }]);
    expect(effects('rollback to savepoint a')).toEqual([{ kind: 'rollback-to-savepoint', name: 'a' }]);
    expect(effects('SAVEPOINT "First"')).toEqual([{ kind: 'savepoint', name: 'First' }]);
    expect(effects('release b')).toEqual([{ kind: 'release-savepoint', name: 'b' }]);
  });

  it('records session settings with the statement that replays them', () => {
    expect(effects("SET search_path TO app, public")).toEqual([{ kind: 'set', name: 'search_path', statement: 'SET search_path TO app, public' }]);
    expect(effects('set statement_timeout = 5000;')).toEqual([{ kind: 'set', name: 'statement_timeout', statement: 'set statement_timeout = 5000' }]);
    expect(effects('SET LOCAL work_mem = 1000')).toEqual([]);
    expect(effects('RESET work_mem')).toEqual([{ kind: 'reset', name: 'work_mem' }]);
    expect(effects('RESET ALL')).toEqual([{ kind: 'reset-all' }]);
    expect(effects('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')).toEqual([]);
    expect(effects('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')).toEqual([
      { kind: 'set', name: 'session characteristics', statement: 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY' },
    ]);
    expect(effects("select set_config('app.user', 'alice', false)")).toEqual([
      { kind: 'set', name: 'app.user', statement: "SELECT set_config('app.user', 'alice', false)" },
    ]);
    expect(effects("select set_config('app.user', 'alice', true)")).toEqual([]);
    expect(effects("select set_config('app.user', current_user, false)")[0]?.kind).toBe('untracked');
  });

  it('sees what pins a session', () => {
    expect(effects('CREATE TEMP TABLE x (a int)')).toEqual([{ kind: 'temp-object' }]);
    expect(effects('create temporary view v as select 1')).toEqual([{ kind: 'temp-object' }]);
    expect(effects('SELECT 1 AS a INTO TEMP t2')).toEqual([{ kind: 'temp-object' }]);
    // Anything created in pg_temp by name lives in the backend's temporary schema too.
    expect(effects("create function pg_temp.f() returns int as 'select 1' language sql")).toEqual([{ kind: 'temp-object' }]);
    expect(effects('CREATE TYPE pg_temp.pair AS (a int, b int)')).toEqual([{ kind: 'temp-object' }]);
    expect(effects('create operator pg_temp.@@ (leftarg = int4, rightarg = int4, procedure = int4mi)')).toEqual([{ kind: 'temp-object' }]);
    expect(effects('create sequence pg_temp_3.s')).toEqual([{ kind: 'temp-object' }]);
    expect(effects('drop function pg_temp.f()')).toEqual([]);
    expect(effects("LOAD 'auto_explain'")).toEqual([{ kind: 'load' }]);
    expect(effects("CREATE FUNCTION check_primary_key() RETURNS trigger AS '/lib/refint.so' LANGUAGE C")).toEqual([{ kind: 'load' }]);
    expect(effects("create function pg_temp.f() returns int as 'select 1' language sql")).toEqual([{ kind: 'temp-object' }]);
    expect(effects('create table public.t (a int)')).toEqual([]);
    expect(effects('DECLARE c CURSOR WITH HOLD FOR SELECT 1')).toEqual([{ kind: 'hold-cursor', name: 'c' }]);
    expect(effects('DECLARE c CURSOR FOR SELECT 1')).toEqual([]);
    expect(effects('CLOSE c')).toEqual([{ kind: 'close-cursor', name: 'c' }]);
    expect(effects('CLOSE ALL')).toEqual([{ kind: 'close-cursor', name: null }]);
    expect(effects('SELECT pg_advisory_lock(42)')).toEqual([{ kind: 'advisory-lock' }]);
    expect(effects('SELECT pg_advisory_xact_lock(42)')).toEqual([]);
    expect(effects('select pg_advisory_unlock_all()')).toEqual([{ kind: 'advisory-unlock' }]);
    expect(effects('LISTEN jobs')).toEqual([{ kind: 'listen', channel: 'jobs' }]);
    expect(effects('UNLISTEN *')).toEqual([{ kind: 'unlisten', channel: null }]);
    expect(effects('PREPARE q AS SELECT 1')).toEqual([{ kind: 'sql-prepare', name: 'q' }]);
    expect(effects('DEALLOCATE ALL')).toEqual([{ kind: 'sql-deallocate', name: null }]);
    expect(effects('DISCARD ALL')).toEqual([{ kind: 'discard', target: 'all' }]);
    expect(effects('DISCARD TEMP')).toEqual([{ kind: 'discard', target: 'temp' }]);
  });

  it('keeps one entry per statement of a list, in order', () => {
    expect(classify("BEGIN; SET work_mem = '1MB'; COMMIT").statements).toEqual([
      [{ kind: 'begin' }],
      [{ kind: 'set', name: 'work_mem', statement: "SET work_mem = '1MB'" }],
      [{ kind: 'commit' }],
    ]);
  });

  it('does not mistake strings and column names for session features', () => {
    expect(effects("SELECT 'advisory' AS label")).toEqual([]);
    expect(classify("SELECT 'advisory' AS label").readOnly).toBe(true);
    expect(classify('SELECT temperature FROM weather').statements).toEqual([[]]);
  });

  it('tells reads from writes for replica routing', () => {
    expect(classify('SHOW TimeZone').readOnly).toBe(true);
    expect(classify('WITH x AS (SELECT 1) SELECT * FROM x').readOnly).toBe(true);
    expect(classify('WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x').readOnly).toBe(false);
    expect(classify('SELECT * FROM t FOR UPDATE').readOnly).toBe(false);
    // Row locks in any case and spacing make a SELECT a write.
    expect(classify('select * from t for\n  no key update').readOnly).toBe(false);
    expect(classify('SELECT * FROM t For   Share SKIP LOCKED').readOnly).toBe(false);
    expect(classify('SELECT PG_TRY_ADVISORY_LOCK(1)').statements).toEqual([[{ kind: 'advisory-lock' }]]);
    expect(classify('SELECT 1 INTO new_table').readOnly).toBe(false);
  });

  it('gives invalid SQL no effects', () => {
    expect(classify('SELEC 1').statements).toEqual([[]]);
  });
});
