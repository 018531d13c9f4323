import { BoardPage } from '../pages/board-page.js';
import { seriousViolations } from '../fixtures/a11y.js';
import { expect, test } from '../fixtures/test.js';

test('the join step, the board and the activity dialog have no serious or critical accessibility violations', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  await expect(a.page.getByRole('dialog', { name: 'Dobro došli na tablu' })).toBeVisible();
  expect(await seriousViolations(a.page)).toEqual([]);

  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await a.expectConnected();
  expect(await seriousViolations(a.page)).toEqual([]);

  await a.openEditor('Razmjena vijeća mladih');
  expect(await seriousViolations(a.page)).toEqual([]);
  await a.close();
});

test('the whole flow works with the keyboard alone: join, add, edit, move, undo', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const { page } = a;
  // Join: the name field has focus; type, tab to the municipality, choose, tab to the button, Enter.
  await expect(page.getByLabel('Vaše ime ili uloga')).toBeFocused();
  await page.keyboard.type('koordinatorica LDP-a');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown'); // the first municipality in the list
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Dobro došli na tablu' })).toBeHidden();
  await a.expectConnected();

  // Add: tab to the lane's "add" button, fill the dialog, save with Enter.
  const add = a.lane('Položaj mladih u lokalnoj zajednici').getByRole('button', { name: /Dodaj aktivnost/ });
  await add.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.type('Tastaturom dodana aktivnost');
  await page.keyboard.press('Enter');
  await expect(a.lane('Položaj mladih u lokalnoj zajednici').getByRole('article', { name: 'Tastaturom dodana aktivnost' })).toBeVisible();

  // Edit: Enter on a focused card opens its dialog; Escape closes it.
  await a.card('Tastaturom dodana aktivnost').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Uredi aktivnost' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Aktivnost', { exact: true })).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type(' (uređeno)');
  await page.keyboard.press('Enter');
  await expect(a.card('Tastaturom dodana aktivnost (uređeno)')).toBeVisible();

  // Move to the next lane and back up, then undo the move.
  await a.moveCardWithKeyboard('Tastaturom dodana aktivnost (uređeno)', ['ArrowRight']);
  await expect(a.lane('Podrška djeci i mladima s poteškoćama u razvoju').getByRole('article', { name: 'Tastaturom dodana aktivnost (uređeno)' })).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(a.lane('Položaj mladih u lokalnoj zajednici').getByRole('article', { name: 'Tastaturom dodana aktivnost (uređeno)' })).toBeVisible();
  await a.close();
});
