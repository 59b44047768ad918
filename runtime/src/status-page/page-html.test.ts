import { createHash } from 'node:crypto';
import { Script, createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../util/format-bytes';
import { LAG_SCALE_BYTES, formatSpan, lagLevel, lagPercent, pageHelpersScript, timelineTitle } from './page-format';
import { PAGE_SCRIPT, STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './page-html';
import { PAGE_STYLE } from './page-style';

describe('the status page document', () => {
  it('holds a script that parses, and that nothing in it can end early', () => {
    expect(() => new Script(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(/<\/script/i);
    expect(PAGE_STYLE).not.toMatch(/<\/style/i);
  });

  it('fetches nothing from elsewhere and renders data without markup', () => {
    expect(STATUS_PAGE_HTML).not.toMatch(/https?:\/\//);
    expect(STATUS_PAGE_HTML).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('allows by hash exactly the inline script and style it carries', () => {
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(STATUS_PAGE_HTML).toContain(`<script>${PAGE_SCRIPT}</script>`);
    expect(STATUS_PAGE_HTML).toContain(`<style>${PAGE_STYLE}</style>`);
    expect(STATUS_PAGE_CSP).toContain(`script-src 'sha256-${hash(PAGE_SCRIPT)}'`);
    expect(STATUS_PAGE_CSP).toContain(`style-src 'sha256-${hash(PAGE_STYLE)}'`);
    expect(STATUS_PAGE_CSP).toContain("default-src 'none'");
  });
});

describe('the page formatting', () => {
  it('fills the lag bar in proportion up to its scale, with a sliver for any lag', () => {
    expect(lagPercent(null, LAG_SCALE_BYTES)).toBe(0);
    expect(lagPercent(0, LAG_SCALE_BYTES)).toBe(0);
    expect(lagPercent(1, LAG_SCALE_BYTES)).toBe(2);
    expect(lagPercent(LAG_SCALE_BYTES / 2, LAG_SCALE_BYTES)).toBe(50);
    expect(lagPercent(LAG_SCALE_BYTES * 3, LAG_SCALE_BYTES)).toBe(100);
  });

  it('grades a lag', () => {
    expect([null, 0, 4096, 2 * 1024 * 1024, LAG_SCALE_BYTES].map((bytes) => lagLevel(bytes, LAG_SCALE_BYTES))).toEqual(['none', 'none', 'low', 'high', 'over']);
  });

  it('titles timeline entries and words spans of time', () => {
    expect(timelineTitle('backup', 'backup-incr')).toBe('Incremental backup');
    expect(timelineTitle('policy', 'set-members')).toBe('Members change');
    expect(timelineTitle('failover', 'failover')).toBe('Failover');
    expect([45_000, 12 * 60_000, 3 * 3_600_000 + 5 * 60_000, 50 * 3_600_000].map(formatSpan)).toEqual(['45 s', '12 min', '3 h 5 min', '2 d 2 h']);
  });

  it('inlines the same functions into the browser script', () => {
    const context = createContext({});
    runInContext(`${pageHelpersScript()}\nthis.results = [formatBytes(1536), lagPercent(LAG_SCALE_BYTES / 4, LAG_SCALE_BYTES), lagLevel(10, LAG_SCALE_BYTES), timelineTitle('backup', 'backup-full'), formatSpan(90000)];`, context);
    expect(context.results).toEqual([formatBytes(1536), 25, 'low', 'Full backup', '1 min']);
  });
});
