import { describe, expect, it } from 'vitest';
import { diffsByTest, onlyTheCurrvalLimit } from './postgres-regress';

/** regression.diffs of a run through the gateway (2026-12-04) whose pool was full between two of constraints' INSERTs. */
const CURRVAL_LIMIT_DIFF = `diff -U3 /tmp/r/input/expected/constraints.out /tmp/r/results/constraints.out
--- /tmp/r/input/expected/constraints.out	2026-12-04 23:38:48.991906221 +0000
+++ /tmp/r/results/constraints.out	2026-12-04 23:39:14.455317414 +0000
@@ -160,9 +160,9 @@
 ERROR:  new row for relation "insert_tbl" violates check constraint "insert_tbl_check"
 DETAIL:  Failing row contains (5, check failed, 4).
 INSERT INTO INSERT_TBL(x,y) VALUES (5, 'check failed');
-ERROR:  new row for relation "insert_tbl" violates check constraint "insert_tbl_con"
-DETAIL:  Failing row contains (5, check failed, -5).
+ERROR:  currval of sequence "insert_seq" is not yet defined in this session
 INSERT INTO INSERT_TBL(x,y) VALUES (5, '!check failed');
+ERROR:  currval of sequence "insert_seq" is not yet defined in this session
 INSERT INTO INSERT_TBL(y) VALUES ('-!NULL-');
 SELECT * FROM INSERT_TBL;
  x |       y       | z  
@@ -171,9 +171,8 @@
  7 | -NULL-        | -7
  7 | !check failed | -7
  4 | -!NULL-       | -4
- 5 | !check failed | -5
  6 | -!NULL-       | -6
-(6 rows)
+(5 rows)
 
diff -U3 /tmp/r/input/expected/stats.out /tmp/r/results/stats.out
--- /tmp/r/input/expected/stats.out	2026-12-04 23:38:49.081038314 +0000
+++ /tmp/r/results/stats.out	2026-12-04 23:40:30.955317414 +0000
@@ -635,7 +635,7 @@
 SELECT sessions > :db_stat_sessions FROM pg_stat_database WHERE datname = (SELECT current_database());
  ?column? 
 ----------
- t
+ f
 (1 row)
 
`;

describe("the regression suite's saturated-pool currval limit", () => {
  const byTest = diffsByTest(CURRVAL_LIMIT_DIFF);

  it('is recognised in a diff that shows it and row counts alone', () => {
    expect(onlyTheCurrvalLimit(byTest.get('constraints')!)).toBe(true);
  });

  it('is not a diff without it, nor one that also prints anything else', () => {
    expect(onlyTheCurrvalLimit(byTest.get('stats')!)).toBe(false);
    expect(onlyTheCurrvalLimit('')).toBe(false);
    const alsoAnotherError = byTest.get('constraints')!.replace('+(5 rows)', '+ERROR:  relation "insert_tbl" does not exist');
    expect(onlyTheCurrvalLimit(alsoAnotherError)).toBe(false);
    const alsoAnotherRow = byTest.get('constraints')!.replace('+(5 rows)', '+(5 rows)\n+ 9 | wrong         | -9');
    expect(onlyTheCurrvalLimit(alsoAnotherRow)).toBe(false);
  });
});
