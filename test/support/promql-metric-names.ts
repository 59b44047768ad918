/**
 * The metric names a PromQL expression reads. A tokenizer, not a parser (promtool proves the
 * expressions parse): it skips strings, label matchers `{...}`, ranges and subqueries
 * `[...]`, numbers and durations, Grafana variables (`$__rate_interval`), the label lists after
 * by/without/on/ignoring/group_left/group_right, functions (an identifier followed by `(`),
 * aggregations and keywords. Every identifier left is a metric name.
 */

/** Aggregation operators, binary and set operators, modifiers and literals (PromQL spells them in any case). */
const KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  'and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan',
]);

/** Keywords followed by a list of label names in parentheses (optional after group_left/right). */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Series names of a histogram that `# TYPE` lines and the runtime name by the histogram's base name. */
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/**
 * The names of the series `expr` selects, as written (`polygres_pooler_wait_seconds_bucket`
 * stays as it is; see histogramBaseName).
 */
export function promqlSeriesNames(expr: string): string[] {
  const names = new Set<string>();
  let i = 0;
  const at = (offset = 0) => expr[i + offset] ?? '';
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(at())) i += 1;
  };
  const skipString = () => {
    const quote = at();
    i += 1;
    while (i < expr.length && at() !== quote) i += quote === '`' || at() !== '\\' ? 1 : 2;
    i += 1;
  };
  /** From an opening bracket to just past its partner, strings included. */
  const skipBalanced = (open: string, close: string) => {
    let depth = 0;
    while (i < expr.length) {
      const char = at();
      if (char === '"' || char === "'" || char === '`') {
        skipString();
        continue;
      }
      i += 1;
      if (char === open) depth += 1;
      else if (char === close && --depth === 0) return;
    }
  };
  const take = (pattern: RegExp): string => {
    const match = pattern.exec(expr.slice(i));
    const text = match?.[0] ?? at();
    i += text.length;
    return text;
  };

  while (i < expr.length) {
    const char = at();
    if (/\s/.test(char)) i += 1;
    else if (char === '#') take(/^#[^\n]*/);
    else if (char === '"' || char === "'" || char === '`') skipString();
    else if (char === '{') skipBalanced('{', '}');
    else if (char === '[') skipBalanced('[', ']');
    else if (char === '$') take(/^\$(\{[^}]*\}|\w+)/);
    else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(at(1)))) take(/^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\w*/);
    else if (/[a-zA-Z_:]/.test(char)) {
      const word = take(/^[a-zA-Z_:][a-zA-Z0-9_:]*/);
      const keyword = word.toLowerCase();
      skipSpace();
      if (LABEL_LISTS.has(keyword)) {
        if (at() === '(') skipBalanced('(', ')');
      } else if (!KEYWORDS.has(keyword) && at() !== '(') names.add(word);
    } else i += 1;
  }
  return [...names];
}

/** A histogram's series (`x_bucket`, `x_sum`, `x_count`) by the histogram's name `x`; other names as they are. */
export function histogramBaseName(series: string): string {
  return series.replace(HISTOGRAM_SUFFIX, '');
}
