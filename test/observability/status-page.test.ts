/**
 * The live status page on a real local three-zone cluster, in a real headless Chromium: it
 * shows the zones, every instance and the primary `polygres status` names; after kill -9 of
 * the primary's Postgres it shows the new primary and the failover without a reload; nothing
 * secret is in the page or its JSON; it fits a phone and the keyboard reaches its cards.
 * Screenshots are kept in a directory of their own (the suite's temporary root is removed at
 * the end) and their paths are logged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { killPostgres } from '../support/faults';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';

const CHROMIUM = '/usr/bin/chromium';

describe('the live status page', () => {
  let cluster: LocalCluster;
  let browser: Browser;
  let page: Page;
  let url: string;
  const shots = mkdtempSync(join(tmpdir(), 'polygres-status-page-'));

  async function screenshot(target: Page, name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await target.screenshot({ path, fullPage: true });
    console.log(`status page screenshot: ${path}`);
  }

  /** A page at `viewport`, with every card on it rendered. */
  async function open(viewport: { width: number; height: number }): Promise<Page> {
    const opened = await browser.newPage({ viewport });
    await opened.goto(url);
    await opened.locator('[data-testid=instance-card]').first().waitFor();
    return opened;
  }

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const dashboard = await polygres(['dashboard', '--json', '--state-dir', cluster.stateDir]);
    expect(dashboard.code, dashboard.stderr).toBe(0);
    const pages = (JSON.parse(dashboard.stdout) as { pages: { zone: string; url: string; answering: boolean }[] }).pages;
    expect(pages.map((entry) => entry.zone).sort()).toEqual(cluster.layout.gateways.map((gateway) => gateway.zone).sort());
    expect(pages.every((entry) => entry.answering)).toBe(true);
    url = pages[0]!.url;
    page = await open({ width: 1280, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('shows three zone columns, every instance, and the primary polygres status names', async () => {
    const status = await cluster.status();
    await expect.poll(() => page.locator('[data-testid=zone-column]').count()).toBe(3);
    expect(await page.locator('[data-testid=zone-column]').evaluateAll((columns) => columns.map((column) => column.getAttribute('data-zone')))).toEqual(['zone-a', 'zone-b', 'zone-c']);
    for (const instance of status.instances) {
      const card = page.locator(`[data-testid=zone-column][data-zone="${instance.zone}"] [data-testid=instance-card][data-instance="${instance.name}"]`);
      await expect.poll(() => card.count()).toBe(1);
    }
    await expect.poll(() => page.locator('[data-testid=summary-primary]').textContent()).toBe(status.primary);
    await expect.poll(() => page.locator('[data-testid=instance-card][data-role=primary]').getAttribute('data-instance')).toBe(status.primary);
    expect(await page.locator('[data-testid=gateway-card]').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid=live-status]').textContent()).toBe('Live');
    await screenshot(page, 'desktop-before-failover');
  });

  it('carries no secret: not in /v1/view, not in the page', async () => {
    const view = await (await fetch(`${url}v1/view`)).text();
    const html = await (await fetch(url)).text();
    const rendered = await page.content();
    const { superuserPassword, replicationPassword, adminToken } = cluster.secrets;
    for (const secret of [superuserPassword, replicationPassword, adminToken]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(view).not.toContain(secret);
      expect(html).not.toContain(secret);
      expect(rendered).not.toContain(secret);
    }
    expect(JSON.parse(view)).toMatchObject({ cluster: { name: cluster.layout.cluster } });
  });

  it('fits a phone screen, and the keyboard reaches the instance cards', async () => {
    const phone = await open({ width: 390, height: 844 });
    try {
      expect(await phone.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth')).toBe(true);
      // Stacked, not side by side: each zone column spans the width.
      const widths = await phone.locator('[data-testid=zone-column]').evaluateAll((columns) => columns.map((column) => column.getBoundingClientRect().width));
      expect(Math.min(...widths)).toBeGreaterThan(300);
      await screenshot(phone, 'phone');
      const reached: string[] = [];
      for (let press = 0; press < 12; press++) {
        await phone.keyboard.press('Tab');
        reached.push(String(await phone.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')));
      }
      expect(reached).toContain('instance-card');
      expect(reached).toContain('gateway-card');
    } finally {
      await phone.close();
    }
  });

  it('shows the new primary and the failover after kill -9 of the primary, without a reload', async () => {
    const before = await cluster.status();
    const oldPrimary = before.primary!;
    // Still there after the failover only if the page was never reloaded.
    await page.evaluate('window.polygresTestMark = "same page"');
    const killed = killPostgres(cluster, oldPrimary);
    // Runs in the page, as a function: the page's CSP forbids evaluating strings. The test's
    // TypeScript has no DOM types, hence `document` through globalThis.
    await page.waitForFunction(
      (old: string) => {
        const document = (globalThis as any).document;
        const summary = document.querySelector('[data-testid=summary-primary]').textContent;
        const card = document.querySelector('[data-testid=instance-card][data-role=primary]');
        return summary !== old && summary !== 'none' && card !== null && card.getAttribute('data-instance') === summary;
      },
      oldPrimary,
      { timeout: 60_000 },
    );
    await page.locator('[data-testid=timeline-entry][data-kind=failover][data-outcome=done]').first().waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.polygresTestMark')).toBe('same page');
    const shown = await page.locator('[data-testid=summary-primary]').textContent();
    const after = await cluster.waitForStatus('the new primary serving', (status) => status.ruleStatus === 'serving' && status.primary !== oldPrimary);
    expect(shown).toBe(after.primary);
    await killed.replaced();
    await screenshot(page, 'desktop-after-failover');
  });
});
