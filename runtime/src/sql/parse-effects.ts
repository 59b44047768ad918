/**
 * The slow path: session effects read off the real parse tree. Statements the parser rejects
 * have no effects (Postgres will reject them too, and a failed statement changes nothing).
 */
import { type SessionEffect, type StatementInfo } from './effects';
import { parseSql, type RawStatement } from './parser';

/** Session-level advisory lock functions (the _xact_ ones end with the transaction: no pin). */
const ADVISORY_LOCKS = new Set(['pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared']);
const ADVISORY_UNLOCKS = new Set(['pg_advisory_unlock', 'pg_advisory_unlock_shared', 'pg_advisory_unlock_all']);
const CURSOR_OPT_HOLD = 0x0020;

export function parseEffects(sql: string): StatementInfo {
  let statements: RawStatement[];
  try {
    statements = parseSql(sql);
  } catch {
    return { readOnly: false, statements: [[]] };
  }
  let readOnly = true;
  const effects = statements.map((raw) => {
    const [type, node] = Object.entries(raw.stmt)[0] ?? ['', {}];
    if (!isReadOnly(type, node as Node)) readOnly = false;
    const text = statementText(sql, raw);
    return effectsOf(type, node as Node, text);
  });
  return { readOnly, statements: effects };
}

type Node = Record<string, unknown>;

function isReadOnly(type: string, node: Node): boolean {
  if (type === 'VariableShowStmt') return true;
  if (type !== 'SelectStmt' || node.intoClause !== undefined || node.lockingClause !== undefined) return false;
  let writes = false;
  visit(node.withClause, (key) => {
    if (key === 'InsertStmt' || key === 'UpdateStmt' || key === 'DeleteStmt' || key === 'MergeStmt') writes = true;
  });
  return !writes;
}

function statementText(sql: string, raw: RawStatement): string {
  const start = raw.stmt_location ?? 0;
  const text = raw.stmt_len ? sql.slice(start, start + raw.stmt_len) : sql.slice(start);
  let end = text.length;
  while (end > 0 && (text[end - 1] === ';' || text[end - 1]!.trim() === '')) end--;
  return text.slice(0, end).trim();
}

function effectsOf(type: string, node: Node, text: string): SessionEffect[] {
  switch (type) {
    case 'TransactionStmt':
      return transactionEffects(node);
    case 'VariableSetStmt':
      return setEffects(node, text);
    case 'DiscardStmt': {
      const target = String(node.target ?? '');
      return [{ kind: 'discard', target: target === 'DISCARD_PLANS' ? 'plans' : target === 'DISCARD_SEQUENCES' ? 'sequences' : target === 'DISCARD_TEMP' ? 'temp' : 'all' }];
    }
    case 'ListenStmt':
      return [{ kind: 'listen', channel: String(node.conditionname ?? '') }];
    case 'UnlistenStmt':
      return [{ kind: 'unlisten', channel: typeof node.conditionname === 'string' ? node.conditionname : null }];
    case 'DeclareCursorStmt':
      return (Number(node.options ?? 0) & CURSOR_OPT_HOLD) !== 0 ? [{ kind: 'hold-cursor', name: String(node.portalname ?? '') }] : functionEffects(node);
    case 'ClosePortalStmt':
      return [{ kind: 'close-cursor', name: typeof node.portalname === 'string' ? node.portalname : null }];
    case 'LoadStmt':
      return [{ kind: 'load' }];
    case 'CreateFunctionStmt': {
      // Its validator loads a C function's library into the backend (to find the symbol):
      // whatever that library keeps in memory (refint's cached plans, say) is the session's.
      const effects = createsTemporaryObject(type, node) ? [{ kind: 'temp-object' } as const] : [];
      return languageOf(node) === 'c' ? [...effects, { kind: 'load' }] : effects;
    }
    case 'PrepareStmt':
      return [{ kind: 'sql-prepare', name: String(node.name ?? '') }];
    case 'DeallocateStmt':
      return [{ kind: 'sql-deallocate', name: typeof node.name === 'string' ? node.name : null }];
    default: {
      const effects = functionEffects(node);
      if (createsTemporaryObject(type, node)) effects.push({ kind: 'temp-object' });
      return effects;
    }
  }
}

function transactionEffects(node: Node): SessionEffect[] {
  switch (node.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return [{ kind: 'begin' }];
    case 'TRANS_STMT_COMMIT':
      return [{ kind: 'commit' }];
    case 'TRANS_STMT_ROLLBACK':
      return [{ kind: 'rollback' }];
    case 'TRANS_STMT_SAVEPOINT':
      return [{ kind: 'savepoint', name: String(node.savepoint_name ?? '') }];
    case 'TRANS_STMT_ROLLBACK_TO':
      return [{ kind: 'rollback-to-savepoint', name: String(node.savepoint_name ?? '') }];
    case 'TRANS_STMT_RELEASE':
      return [{ kind: 'release-savepoint', name: String(node.savepoint_name ?? '') }];
    case 'TRANS_STMT_PREPARE':
      return [{ kind: 'untracked', reason: 'PREPARE TRANSACTION' }];
    default:
      return [];
  }
}

function setEffects(node: Node, text: string): SessionEffect[] {
  if (node.is_local === true) return [];
  const name = String(node.name ?? '').toLowerCase();
  switch (node.kind) {
    case 'VAR_SET_VALUE':
    case 'VAR_SET_DEFAULT':
    case 'VAR_SET_CURRENT':
      return [{ kind: 'set', name, statement: text }];
    case 'VAR_SET_MULTI':
      // SET TRANSACTION ... lasts one transaction; SET SESSION CHARACTERISTICS lasts the session.
      return name === 'session characteristics' ? [{ kind: 'set', name, statement: text }] : [];
    case 'VAR_RESET':
      return [{ kind: 'reset', name }];
    case 'VAR_RESET_ALL':
      return [{ kind: 'reset-all' }];
    default:
      return [{ kind: 'untracked', reason: `SET form ${String(node.kind)}` }];
  }
}

/** Advisory locks and set_config calls anywhere in the tree. */
function functionEffects(node: unknown): SessionEffect[] {
  const effects: SessionEffect[] = [];
  visit(node, (key, value) => {
    if (key !== 'FuncCall') return;
    const call = value as Node;
    const names = (call.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
    const name = names.at(-1)?.String?.sval?.toLowerCase() ?? '';
    if (ADVISORY_LOCKS.has(name)) effects.push({ kind: 'advisory-lock' });
    else if (ADVISORY_UNLOCKS.has(name)) effects.push({ kind: 'advisory-unlock' });
    else if (name === 'set_config') {
      const effect = setConfigEffect(call);
      if (effect) effects.push(effect);
    }
  });
  return effects;
}

/** set_config(name, value, is_local): replayable when all three are literals; nothing when local. */
function setConfigEffect(call: Node): SessionEffect | undefined {
  const args = (call.args as Node[] | undefined) ?? [];
  const [name, value, local] = args.map(literal);
  if (local === true) return undefined;
  if (typeof name !== 'string' || typeof value !== 'string' || local !== false) {
    return { kind: 'untracked', reason: 'set_config() with arguments that are not literals' };
  }
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return { kind: 'set', name: name.toLowerCase(), statement: `SELECT set_config(${quote(name)}, ${quote(value)}, false)` };
}

function literal(node: Node | undefined): string | boolean | undefined {
  const constant = node?.A_Const as Node | undefined;
  if (!constant) return undefined;
  if (constant.sval) return String((constant.sval as Node).sval ?? '');
  if (constant.boolval !== undefined) return (constant.boolval as Node).boolval === true;
  return undefined;
}

/** The session's own temporary schema, by the names Postgres accepts for it. */
const TEMP_SCHEMA = /^pg_temp(?:_\d+)?$/;
/** Statements that create an object, where a name qualified with pg_temp puts it in the temporary schema. */
const CREATES = /^(?:Create|Define|View|CompositeType)/;

/**
 * A temporary table, sequence or view (TEMP), or any object created in pg_temp by name
 * (`CREATE FUNCTION pg_temp.f()`, `CREATE TYPE pg_temp.t`, an operator...): it lives in this
 * backend's temporary schema, which no other server connection has.
 */
function createsTemporaryObject(type: string, node: unknown): boolean {
  const creates = CREATES.test(type);
  let temporary = false;
  visit(node, (key, value) => {
    if (key === 'relpersistence' && value === 't') temporary = true;
    else if (creates && key === 'schemaname' && typeof value === 'string' && TEMP_SCHEMA.test(value)) temporary = true;
    else if (creates && Array.isArray(value) && value.length >= 2 && TEMP_SCHEMA.test(stringNode(value[0]) ?? '')) temporary = true;
  });
  return temporary;
}

/** A CREATE FUNCTION's LANGUAGE, lower case (SQL's default when it names none). */
function languageOf(node: Node): string {
  for (const option of (node.options as Node[] | undefined) ?? []) {
    const definition = option.DefElem as Node | undefined;
    if (definition?.defname === 'language') return (stringNode(definition.arg) ?? '').toLowerCase();
  }
  return 'sql';
}

/** The text of a String node of a qualified name ({ String: { sval } }), if it is one. */
function stringNode(node: unknown): string | undefined {
  const string = (node as { String?: { sval?: unknown } } | null)?.String;
  return typeof string?.sval === 'string' ? string.sval : undefined;
}

function visit(node: unknown, onEntry: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, onEntry);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      onEntry(key, value);
      visit(value, onEntry);
    }
  }
}
