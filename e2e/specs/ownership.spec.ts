import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const LANE_C = 'Podrška djeci i mladima s poteškoćama u razvoju';
const LANE_D = 'Održivost LDP-a i međuopštinska saradnja';
const KATALOG = 'Katalog usluga u regiji';
const FORUM = 'Forum građana „Dva Trnova"';

const filters = (p: BoardPage) => p.page.getByRole('search', { name: 'Pretraga i filteri' });
/** A card dimmed by the person's filter: still there and readable, with a hint for screen readers. */
const expectDimmed = async (p: BoardPage, title: string) => {
  await expect(p.card(title)).toHaveAttribute('data-filter', 'dimmed');
  await expect(p.card(title)).toContainText('Ne odgovara filterima.');
};
const expectMatching = async (p: BoardPage, title: string) => {
  await expect(p.card(title)).toBeVisible();
  await expect(p.card(title)).not.toHaveAttribute('data-filter', 'dimmed');
};

test('a coordinator joins an activity as partner with one click, the other sees it, and leaves again', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.editor);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('koordinator LDP-a', 'Općina Novi Travnik');
  await a.expectConnected();
  await b.expectConnected();

  // Where Mostar leads there is nothing to join; where it is a partner it can leave.
  await expect(a.card('Razmjena vijeća mladih')).toContainText('Vaš grad: nosilac');
  await expect(a.card('Razmjena vijeća mladih').getByRole('button', { name: /Pridruži se|Napusti/ })).toHaveCount(0);
  await expect(a.card('Pristupačnost javnih objekata')).toContainText('Vaš grad: partner');
  await expect(a.card('Pristupačnost javnih objekata').getByRole('button', { name: 'Napusti partnerstvo u aktivnosti „Pristupačnost javnih objekata"' })).toBeVisible();

  // One click: Mostar is a partner, for both, and the card stays where it was (no drag).
  await expect(b.card(KATALOG)).not.toContainText('Grad Mostar');
  await a.card(KATALOG).getByRole('button', { name: `Pridruži se kao partner aktivnosti „${KATALOG}"` }).click();
  await expect(b.card(KATALOG).locator('.card__partners')).toContainText('Grad Mostar');
  await expect(a.card(KATALOG)).toContainText('Vaš grad: partner');
  await expect(b.card(KATALOG)).not.toContainText('Vaš grad'); // B's own municipality is Novi Travnik
  await expect(a.lane(LANE_C).getByRole('article', { name: KATALOG })).toBeVisible();

  // Leaving with the keyboard: Enter on the button leaves; it neither lifts the card nor opens the editor.
  const leave = a.card(KATALOG).getByRole('button', { name: `Napusti partnerstvo u aktivnosti „${KATALOG}"` });
  await leave.focus();
  await a.page.keyboard.press('Enter');
  await expect(b.card(KATALOG)).not.toContainText('Grad Mostar');
  await expect(a.card(KATALOG).getByRole('button', { name: `Pridruži se kao partner aktivnosti „${KATALOG}"` })).toBeFocused();
  await expect(a.page.getByRole('dialog', { name: 'Uredi aktivnost' })).toHaveCount(0);
  await expect(a.announcements).not.toContainText('Podignuta');
  expect(await a.cardTitlesIn(LANE_C)).toEqual(await b.cardTitlesIn(LANE_C));

  // A viewer sees their municipality's cards marked, but has no buttons.
  const viewer = await BoardPage.open(browser, board.links.viewer);
  await viewer.join('posmatrač', 'Grad Mostar');
  await expect(viewer.card('Pristupačnost javnih objekata')).toContainText('Vaš grad: partner');
  await expect(viewer.page.getByRole('button', { name: /Pridruži se|Napusti partnerstvo/ })).toHaveCount(0);
  expect([...a.errors, ...b.errors, ...viewer.errors]).toEqual([]);
  await Promise.all([a.close(), b.close(), viewer.close()]);
});

test('each person filters and highlights the board on their own: municipality, text, my municipality, only matches', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.viewer);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('posmatrač', 'Općina Trnovo');
  await a.expectConnected();
  const bar = filters(a);

  // By municipality: Novi Travnik leads or is a partner; the other cards are dimmed, still readable.
  await bar.getByLabel('Općina (nosilac ili partner)').selectOption({ label: 'Općina Novi Travnik' });
  await expectMatching(a, 'Radionice o propisima za mlade'); // lead
  await expectMatching(a, 'Odluka o LDP-u kao savjetodavnom tijelu'); // partner
  await expectMatching(a, 'Pristupačnost javnih objekata');
  await expectDimmed(a, KATALOG);
  await expectDimmed(a, FORUM);
  await expect(a.lane(LANE_A).locator('.lane__count')).toHaveText('1 od 4 aktivnosti');
  await expect(a.lane(LANE_C).locator('.lane__count')).toHaveText('1 od 4 aktivnosti');
  await expect(a.lane(LANE_D).locator('.lane__count')).toHaveText('1 od 1 aktivnosti');
  await expect(a.unplaced.locator('.lane__count')).toHaveText('1 od 2 aktivnosti');
  await expect(bar.getByRole('status')).toHaveText('Pronađeno: 5 od 15 aktivnosti');
  // The other person's board is untouched: filters are never shared.
  await expect(b.lane(LANE_A).locator('.lane__count')).toHaveText('4 aktivnosti');
  await expect(b.card(KATALOG)).not.toHaveAttribute('data-filter', 'dimmed');

  // By text, ignoring case and diacritics.
  await bar.getByLabel('Općina (nosilac ili partner)').selectOption({ label: 'Sve općine' });
  await bar.getByLabel('Traži').fill('trnov');
  await expectMatching(a, FORUM);
  await expectDimmed(a, 'Zajednički model javnih konsultacija');
  await expect(a.lane(LANE_A).locator('.lane__count')).toHaveText('1 od 4 aktivnosti');
  await expect(a.lane(LANE_B).locator('.lane__count')).toHaveText('0 od 4 aktivnosti');
  await bar.getByLabel('Traži').fill('PRISTUPACNOST');
  await expectMatching(a, 'Pristupačnost javnih objekata');
  await expectDimmed(a, FORUM);
  await bar.getByLabel('Traži').fill('');
  await expect(a.lane(LANE_A).locator('.lane__count')).toHaveText('4 aktivnosti');

  // "Moja općina": one click, Mostar's cards (lead or partner).
  const mine = bar.getByRole('button', { name: 'Moja općina' });
  await expect(mine).toHaveAttribute('aria-pressed', 'false');
  await mine.click();
  await expect(mine).toHaveAttribute('aria-pressed', 'true');
  await expect(bar.getByLabel('Općina (nosilac ili partner)').locator('option:checked')).toHaveText('Grad Mostar');
  for (const title of ['Odluka o LDP-u kao savjetodavnom tijelu', 'Razmjena vijeća mladih', 'Pristupačnost javnih objekata', 'Konstituirajući sastanak MLDP-a', 'Godišnji izvještaj LDP-a građanima']) {
    await expectMatching(a, title);
  }
  await expectDimmed(a, 'Dijalog sa mladima');
  await expect(a.lane(LANE_B).locator('.lane__count')).toHaveText('1 od 4 aktivnosti');

  // "Prikaži samo pronađene": the rest are hidden; the counts still say how many there are.
  await bar.getByLabel('Prikaži samo pronađene').check();
  await expect(a.card('Dijalog sa mladima')).toHaveCount(0);
  expect(await a.cardTitlesIn(LANE_B)).toEqual(['Razmjena vijeća mladih']);
  expect(await a.cardTitlesIn(LANE_A)).toEqual(['Odluka o LDP-u kao savjetodavnom tijelu']);
  await expect(a.lane(LANE_B).locator('.lane__count')).toHaveText('1 od 4 aktivnosti');

  // Another click on "Moja općina" lifts the municipality filter: everything is back.
  await mine.click();
  await expect(mine).toHaveAttribute('aria-pressed', 'false');
  await expect(a.card('Dijalog sa mladima')).toBeVisible();
  await expect(a.lane(LANE_B).locator('.lane__count')).toHaveText('4 aktivnosti');
  expect([...a.errors, ...b.errors]).toEqual([]);
  await Promise.all([a.close(), b.close()]);
});

test('a budget entered in the edit dialog shows in KM on the other coordinator\'s card', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const b = await BoardPage.open(browser, board.links.editor);
  await a.join('koordinatorica LDP-a', 'Grad Mostar');
  await b.join('koordinator LDP-a', 'Općina Trnovo');
  await a.expectConnected();

  const dialog = await a.openEditor('Razmjena vijeća mladih');
  await dialog.getByLabel('Sredstva (KM)').fill('1.234,50');
  await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(dialog).toBeHidden();

  const budget = b.card('Razmjena vijeća mladih').locator('.card__budget');
  await expect(budget).toHaveText('Sredstva: 1.234,50 KM');
  await expect(budget.locator('.visually-hidden')).toHaveText('Sredstva:');
  await b.switchLanguage('English');
  await expect(budget).toHaveText('Resources: KM 1,234.50');
  await b.page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Српски' });
  await expect(budget).toHaveText('Средства: 1.234,50 КМ');
  await b.page.getByRole('combobox', { name: 'Језик' }).selectOption({ label: 'Bosanski' });
  await expect(budget).toHaveText('Sredstva: 1.234,50 KM');
  // Cards without resources show none.
  await expect(b.card('Dijalog sa mladima').locator('.card__budget')).toHaveCount(0);
  await Promise.all([a.close(), b.close()]);
});
