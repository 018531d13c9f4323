import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const screens = [
  { name: '13" laptop', viewport: { width: 1366, height: 768 } },
  { name: '10" tablet (landscape, touch)', viewport: { width: 1280, height: 800 }, hasTouch: true },
  { name: 'projector (1080p)', viewport: { width: 1920, height: 1080 } },
];

for (const screen of screens) {
  test(`on a ${screen.name} every lane fits the width and text stays readable`, async ({ browser, server }) => {
    const board = await server.createBoard('demo');
    const a = await BoardPage.open(browser, board.links.viewer, screen);
    await a.join('posmatrač', 'Grad Mostar');
    const lanes = a.page.getByRole('region').filter({ has: a.page.getByRole('heading', { level: 2 }) });
    const titles = ['Učešće građana u odlučivanju', 'Položaj mladih u lokalnoj zajednici', 'Podrška djeci i mladima s poteškoćama u razvoju', 'Održivost LDP-a i međuopštinska saradnja', 'Neraspoređene aktivnosti'];
    for (const title of titles) {
      const box = (await a.lane(title).boundingBox())!;
      expect(box.x, title).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, title).toBeLessThanOrEqual(screen.viewport.width);
    }
    expect(await lanes.count()).toBeGreaterThanOrEqual(5);
    // No horizontal scrolling of the page.
    expect(await a.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Card titles: at least 14 px on a laptop, larger on bigger screens (readable from the back of a room).
    const size = await a.card('Dijalog sa mladima').getByRole('heading').evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    expect(size).toBeGreaterThanOrEqual(screen.viewport.width >= 1920 ? 20 : 14);
    await a.close();
  });
}
