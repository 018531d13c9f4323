import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';

test('pasted text of any length or script is limited with a visible counter and shown as text, without breaking layout or sync', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.viewer);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('posmatrač', 'Općina Trnovo');

  // 10,000 characters pasted into the title: cut at 200, and the counter says so.
  await a.lane(LANE_A).getByRole('button', { name: /Dodaj aktivnost/ }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Nova aktivnost' });
  const title = dialog.getByLabel('Aktivnost', { exact: true });
  await title.focus();
  await a.page.keyboard.insertText('Ž'.repeat(10_000));
  await expect(title).toHaveValue('Ž'.repeat(200));
  await expect(dialog.getByText('200 / 200')).toBeVisible();
  await title.fill('');
  const hostile = '<img src=x onerror="window.__pwned=1"> =HYPERLINK("http://x") 🎉 مرحبا بكم Добродошли ' + 'x'.repeat(80);
  await a.page.keyboard.insertText(hostile);
  await dialog.getByLabel('Opis').focus();
  await a.page.keyboard.insertText('d'.repeat(6_000));
  await expect(dialog.getByLabel('Opis')).toHaveValue('d'.repeat(5_000));
  await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(dialog).toBeHidden();

  // The other person sees exactly the text, as text; nothing ran; the card stays inside its lane.
  const card = b.card(hostile);
  await expect(card).toBeVisible();
  await expect(card.getByRole('heading', { level: 3 })).toHaveText(hostile);
  expect(await b.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await b.page.locator('img[src="x"]').count()).toBe(0);
  const lane = (await b.lane(LANE_A).boundingBox())!;
  const box = (await card.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(lane.x);
  expect(box.x + box.width).toBeLessThanOrEqual(lane.x + lane.width + 1);
  // Sync still works afterwards.
  await a.dragCardToLane(hostile, 'Položaj mladih u lokalnoj zajednici');
  await expect(b.lane('Položaj mladih u lokalnoj zajednici').getByRole('article', { name: hostile })).toBeVisible();
  await Promise.all([a.close(), b.close()]);
});
