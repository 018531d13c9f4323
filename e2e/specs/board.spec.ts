import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';

test('a card moves between lanes and within a lane with the keyboard alone, with spoken announcements', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.viewer);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('posmatrač', 'Općina Trnovo');
  await a.expectConnected();

  // Within a lane: one place down.
  expect((await a.cardTitlesIn(LANE_A)).slice(0, 2)).toEqual(['Zajednički model javnih konsultacija', 'Odluka o LDP-u kao savjetodavnom tijelu']);
  await a.moveCardWithKeyboard('Zajednički model javnih konsultacija', ['ArrowDown']);
  await expect.poll(() => a.cardTitlesIn(LANE_A).then((t) => t.slice(0, 2))).toEqual(['Odluka o LDP-u kao savjetodavnom tijelu', 'Zajednički model javnih konsultacija']);
  await expect(a.announcements).toContainText('spuštena');

  // Between lanes: to the next lane on the right.
  await a.moveCardWithKeyboard('Forum građana „Dva Trnova"', ['ArrowRight']);
  await expect(a.announcements).toHaveText('Aktivnost „Forum građana „Dva Trnova"" spuštena u: Položaj mladih u lokalnoj zajednici, mjesto 1.');
  await expect(a.lane(LANE_B).getByRole('article', { name: 'Forum građana „Dva Trnova"' })).toBeVisible();
  await expect(b.lane(LANE_B).getByRole('article', { name: 'Forum građana „Dva Trnova"' })).toBeVisible();
  await expect(b.lane(LANE_A).getByRole('article', { name: 'Forum građana „Dva Trnova"' })).toHaveCount(0);

  // Escape cancels: nothing moves.
  const before = await a.cardTitlesIn(LANE_B);
  await a.card('Dijalog sa mladima').focus();
  await a.page.keyboard.press('Space');
  await expect(a.announcements).toContainText('je iznad');
  await a.page.keyboard.press('ArrowRight');
  await expect(a.announcements).toContainText('je iznad: Podrška djeci');
  await a.page.keyboard.press('Escape');
  await expect(a.announcements).toContainText('otkazano');
  expect(await a.cardTitlesIn(LANE_B)).toEqual(before);
  await Promise.all([a.close(), b.close()]);
});

test('an activity is edited in a dialog with every field, and the other coordinator sees it', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.editor);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('koordinator LDP-a', 'Općina Trnovo');

  const dialog = await a.openEditor('Razmjena vijeća mladih');
  await expect(dialog.getByLabel('Aktivnost', { exact: true })).toHaveValue('Razmjena vijeća mladih');
  await dialog.getByLabel('Opis').fill('Posjete vijeća mladih između Mostara i Istočnog Sarajeva');
  await dialog.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'U toku' });
  await dialog.getByLabel('Rok / kvartal').selectOption({ label: 'IV kv. 2026.' });
  await dialog.getByRole('checkbox', { name: 'Općina Trnovo' }).check();
  await dialog.getByLabel('Odgovorna osoba').fill('koordinatorica LDP-a');
  await dialog.getByLabel('Sredstva (KM)').fill('1.234,50');
  await dialog.getByLabel('Izvor finansiranja').fill('budžet općine');
  await dialog.getByLabel('Indikator').fill('2 razmjene godišnje');
  await dialog.getByLabel('Napomena').fill('<b>nije HTML</b> =SUM(A1)');
  await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(dialog).toBeHidden();

  const seen = b.card('Razmjena vijeća mladih');
  await expect(seen).toContainText('U toku');
  await expect(seen).toContainText('IV kv. 2026.');
  await expect(seen).toContainText('Općina Trnovo');

  const reopened = await b.openEditor('Razmjena vijeća mladih');
  await expect(reopened.getByLabel('Sredstva (KM)')).toHaveValue('1234.5');
  await expect(reopened.getByLabel('Napomena')).toHaveValue('<b>nije HTML</b> =SUM(A1)');
  await expect(reopened.getByLabel('Izvor finansiranja')).toHaveValue('budžet općine');
  // An empty title is refused with a clear message, and nothing changes.
  await reopened.getByLabel('Aktivnost', { exact: true }).fill('   ');
  await reopened.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(reopened.getByRole('alert')).toHaveText('Upišite naziv aktivnosti.');
  await reopened.getByRole('button', { name: 'Odustani' }).click();
  await expect(a.card('Razmjena vijeća mladih')).toBeVisible();
  await Promise.all([a.close(), b.close()]);
});

test('the board speaks Bosnian by default and switches to English, remembered after a reload', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.viewer);
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'bs');
  await a.join('posmatrač', 'Grad Mostar');
  await expect(a.unplaced).toContainText('2 aktivnosti');
  await expect(a.lane('Održivost LDP-a i međuopštinska saradnja')).toContainText('1 aktivnost');
  // A viewer cannot add or drag.
  await expect(a.page.getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(0);

  await a.switchLanguage('English');
  await expect(a.page.getByRole('region', { name: 'Not yet placed' })).toContainText('2 activities');
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'en');
  await a.page.reload();
  await expect(a.page.getByRole('region', { name: 'Not yet placed' })).toBeVisible();
  await expect(a.page.getByRole('status', { name: 'Connection to the server' })).toHaveText(/Connected/);
  await a.close();
});

test('a card is put in its place within a lane with the mouse, and the others see the same order', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.viewer);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('posmatrač', 'Općina Trnovo');
  await a.expectConnected();
  const [first, second, third] = await a.cardTitlesIn(LANE_A);
  // Up: the third card before the first.
  await a.dragCardBefore(third!, first!);
  await expect.poll(() => a.cardTitlesIn(LANE_A).then((t) => t.slice(0, 3))).toEqual([third, first, second]);
  await expect.poll(() => b.cardTitlesIn(LANE_A).then((t) => t.slice(0, 3))).toEqual([third, first, second]);
  // Down: the same card, dropped over the upper half of the card now third.
  await a.dragCardBefore(third!, second!);
  await expect.poll(() => b.cardTitlesIn(LANE_A).then((t) => t.slice(0, 3))).toEqual([first, third, second]);
  await Promise.all([a.close(), b.close()]);
});

test('on a 10" tablet a coordinator drags a card with a finger', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const tablet = await BoardPage.open(browser, board.links.editor, { viewport: { width: 1280, height: 800 }, hasTouch: true });
  const laptop = await BoardPage.open(browser, board.links.viewer);
  await tablet.join('koordinator LDP-a', 'Općina Novi Travnik');
  await laptop.join('posmatrač', 'Grad Mostar');
  await tablet.expectConnected();
  await tablet.touchDragCardToLane('Godišnji izvještaj LDP-a građanima', LANE_B);
  await expect(laptop.lane(LANE_B).getByRole('article', { name: 'Godišnji izvještaj LDP-a građanima' })).toBeVisible();
  await expect(laptop.unplaced.getByRole('article', { name: 'Godišnji izvještaj LDP-a građanima' })).toHaveCount(0);
  await Promise.all([tablet.close(), laptop.close()]);
});

test('undo and redo revert only your own changes, with the keyboard and the buttons', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.editor);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('koordinator LDP-a', 'Općina Trnovo');
  await a.expectConnected();
  await b.expectConnected();
  await expect(a.page.getByRole('button', { name: /Poništi/ })).toBeDisabled();

  await a.dragCardToLane('Volonterska akcija osnovaca', LANE_B);
  await expect(b.lane(LANE_B).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  // Someone else's change, made after ours.
  const dialog = await b.openEditor('Dijalog sa mladima');
  await dialog.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Odgođeno' });
  await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(a.card('Dijalog sa mladima')).toContainText('Odgođeno');

  await a.page.locator('body').click({ position: { x: 5, y: 5 } });
  await a.page.keyboard.press('Control+z');
  await expect(b.unplaced.getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await expect(b.card('Dijalog sa mladima')).toContainText('Odgođeno'); // not ours: stays
  await expect(a.page.getByRole('button', { name: /Poništi/ })).toBeDisabled();

  await a.page.getByRole('button', { name: /Ponovi/ }).click();
  await expect(b.lane(LANE_B).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  // And the keyboard's redo: Ctrl+Z, then Ctrl+Shift+Z.
  await a.page.keyboard.press('Control+z');
  await expect(b.unplaced.getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await a.page.keyboard.press('Control+Shift+z');
  await expect(b.lane(LANE_B).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await Promise.all([a.close(), b.close()]);
});
