/**
 * How the board reads at the room's four screens (projector, laptop, 13", tablet with touch):
 * screenshots of each into the test output (test-results/layout-*), and what a person would check
 * on them: no word broken inside a title, the header and its connection state in view after
 * scrolling, lanes of a readable width with the board (not the page) scrolling sideways, a card
 * moved (by finger on the tablet), the offline state shown at once, no serious accessibility finding,
 * and on the projector every placed activity on the screen with titles readable from the back of the room.
 */
import type { Page } from '@playwright/test';
import { seriousViolations } from '../fixtures/a11y.js';
import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const screens = [
  { name: 'projector', viewport: { width: 1920, height: 1080 } },
  { name: 'laptop', viewport: { width: 1440, height: 900 } },
  { name: '13-inch', viewport: { width: 1280, height: 800 } },
  { name: 'tablet', viewport: { width: 1024, height: 768 }, hasTouch: true },
] as const;

/** Titles in which a word is split over two lines (each word's text measured as its own range). */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const el of document.querySelectorAll('.card__title, .lane__title, .topbar__title')) {
      // Each word as its own range (a word kept whole in a span is a text node of its own).
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const value = text.textContent ?? '';
        for (const match of value.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(text, match.index);
          range.setEnd(text, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(`${match[0]} (in "${el.textContent}")`);
        }
      }
    }
    return broken;
  });
}

for (const screen of screens) {
  test(`the board at ${screen.name} size (${screen.viewport.width}x${screen.viewport.height}) reads well`, async ({ browser, server }, testInfo) => {
    const board = await server.createBoard('demo');
    const a = await BoardPage.open(browser, board.links.editor, screen);
    await a.join('Amra', 'Grad Mostar');
    await a.expectConnected();
    await a.page.screenshot({ path: testInfo.outputPath(`layout-${screen.name}-board.png`) });

    expect(await brokenWords(a.page)).toEqual([]);
    // Lanes keep a readable width; the board scrolls sideways, never the page.
    const widths = await a.page.locator('.lane').evaluateAll((lanes) => lanes.map((l) => l.getBoundingClientRect().width));
    for (const w of widths) expect(w).toBeGreaterThanOrEqual(220);
    expect(await a.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Card titles: at least 14 px.
    const size = await a.card('Dijalog sa mladima').getByRole('heading').evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    expect(size).toBeGreaterThanOrEqual(14);

    // Cards move between lanes at every size: with a finger on the tablet, with the mouse elsewhere.
    const card = 'Dijalog sa mladima';
    if ('hasTouch' in screen && screen.hasTouch) await a.touchDragCardToLane(card, 'Učešće građana u odlučivanju');
    else await a.dragCardToLane(card, 'Učešće građana u odlučivanju');
    await expect(a.lane('Učešće građana u odlučivanju').getByRole('article', { name: card })).toBeVisible();
    await a.page.evaluate(() => window.scrollTo(0, 0));

    // Scrolled down, the header (with the connection state and undo) is still in view.
    await a.page.mouse.wheel(0, 2000);
    await expect.poll(() => a.page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    const header = a.page.locator('header.topbar');
    expect((await header.boundingBox())!.y).toBeLessThanOrEqual(1);
    await expect(a.connection).toBeInViewport();
    await expect(a.page.getByRole('button', { name: /Poništi/ }).first()).toBeInViewport();
    await a.page.screenshot({ path: testInfo.outputPath(`layout-${screen.name}-scrolled.png`) });
    expect(await seriousViolations(a.page)).toEqual([]);

    // The Wi-Fi drops: the header, still in view, says so within two seconds; back, it reconnects.
    await a.context.setOffline(true);
    await expect(a.connection).toHaveAttribute('data-state', 'offline', { timeout: 2_000 });
    await expect(a.connection).toBeInViewport();
    await a.context.setOffline(false);
    await a.expectConnected();
    await a.close();
  });
}

test('the projector shows every placed activity at once, titles at least 18 px at 1920x1080', async ({ browser, server }, testInfo) => {
  const board = await server.createBoard('demo');
  const projector = await BoardPage.open(browser, board.links.viewer, { viewport: { width: 1920, height: 1080 } });
  await projector.expectConnected();
  const cards = projector.page.locator('.board .card');
  await expect(cards.first()).toBeVisible();
  await expect(projector.page.locator('.board[data-fit-px]')).toHaveCount(1);
  const count = await cards.count();
  expect(count).toBeGreaterThanOrEqual(13);
  for (let i = 0; i < count; i++) await expect(cards.nth(i)).toBeInViewport({ ratio: 1 });
  const sizes = await projector.page.locator('.board .card__title').evaluateAll((hs) => hs.map((h) => parseFloat(getComputedStyle(h).fontSize)));
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
  expect(await brokenWords(projector.page)).toEqual([]);
  // No editing chrome on the wall.
  await expect(projector.page.getByRole('button', { name: /Dodaj aktivnost|Uredi/ })).toHaveCount(0);
  await expect(projector.page.getByRole('button', { name: 'Plan i izvoz' })).toHaveCount(0);
  await projector.page.screenshot({ path: testInfo.outputPath('layout-projector-wall.png') });
  await projector.close();
});
