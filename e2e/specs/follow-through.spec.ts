import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const ODLUKA = 'Odluka o LDP-u kao savjetodavnom tijelu';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';

test('the facilitator marks the plan agreed despite its gaps; on the locked board a coordinator still reports progress, live for everyone', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const coord = await BoardPage.open(browser, board.links.editor);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await coord.join('koordinatorica LDP-a', 'Grad Mostar');
  await fac.expectConnected();
  await coord.expectConnected();

  // "Završi plan": the demo plan has gaps (no responsible persons or indicators yet), each a link to its card.
  const panel = await fac.openSetup();
  await expect(panel.getByRole('heading', { name: 'Završi plan' })).toBeVisible();
  await expect(panel.getByRole('link', { name: ODLUKA })).toBeVisible();
  const agree = panel.getByRole('button', { name: 'Označi plan kao usaglašen' });
  await expect(agree).toBeDisabled();
  await panel.getByRole('checkbox', { name: 'Označi plan kao usaglašen uprkos nedostacima' }).check();
  await agree.click();
  await expect(panel.getByRole('status').filter({ hasText: /Plan je/ })).toHaveText(/^Plan je (usaglašen i )?zaključan/);
  await expect(panel.getByRole('link', { name: 'Preuzmi rezervnu kopiju' })).toHaveAttribute('href', /\/backup\.json\?token=/);
  await fac.page.keyboard.press('Escape');

  // The coordinator's cards open read-only ("Napredak"), with a form for a progress note.
  await expect(coord.card(ODLUKA).getByRole('button', { name: /^Uredi/ })).toHaveCount(0);
  await coord.card(ODLUKA).getByRole('button', { name: /Napredak/ }).click();
  const dialog = coord.page.getByRole('dialog', { name: 'Uredi aktivnost' });
  await expect(dialog.getByText(/Plan je zaključan: aktivnost se ne mijenja/)).toBeVisible();
  await dialog.getByLabel('Bilješka o napretku').fill('Nacrt odluke upućen vijeću');
  await dialog.getByLabel('Urađeno (%)').fill('50');
  await dialog.getByLabel('Novi status').selectOption({ label: 'U toku' });
  await dialog.getByRole('button', { name: 'Dodaj bilješku o napretku' }).click();
  await expect(dialog.getByText('Nacrt odluke upućen vijeću')).toBeVisible();
  await coord.expectConnected(); // the server accepted it: a lock holds the plan, not its follow-through

  // The facilitator sees the note on the card, dated, with its percentage.
  const facDialog = await fac.openEditor(ODLUKA);
  await expect(facDialog.getByText('Nacrt odluke upućen vijeću')).toBeVisible();
  await expect(facDialog.locator('.progress__meta')).toContainText('50 %');

  await fac.close();
  await coord.close();
});
