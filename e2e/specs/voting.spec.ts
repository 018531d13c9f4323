import type { Locator } from '@playwright/test';
import { BoardPage } from '../pages/board-page.js';
import { seriousViolations } from '../fixtures/a11y.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const DIJALOG = 'Dijalog sa mladima';
const RAZMJENA = 'Razmjena vijeća mladih';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';

/** The facilitator's vote controls, in the session toolbar. */
const voteControls = (p: BoardPage): Locator => p.page.getByRole('group', { name: 'Glasanje bodovima' });
const banner = (p: BoardPage) => p.page.getByTestId('vote-banner');
const addDot = (p: BoardPage, title: string) => p.card(title).getByRole('button', { name: `Dodaj bod: ${title}` });
const dotsOn = (p: BoardPage, title: string) => p.card(title).getByTestId('card-dots');
const results = (p: BoardPage) => p.page.getByRole('table', { name: 'Rezultati glasanja' });

test('dot voting per municipality: N dots each, hidden until revealed, sorted results kept, re-run', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const mostar = await BoardPage.open(browser, await server.issueMunicipalityLink(board, 'm_mostar'));
  const bugojno = await BoardPage.open(browser, await server.issueMunicipalityLink(board, 'm_bugojno'));
  const general = await BoardPage.open(browser, board.links.editor);
  const projector = await BoardPage.open(browser, board.links.viewer);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await mostar.joinBound('koordinatorica LDP-a', 'Grad Mostar');
  await bugojno.joinBound('koordinator LDP-a', 'Općina Bugojno (primjer)');
  await general.join('gost', 'Općina Trnovo');
  // The projector (read-only link) asks nothing.
  for (const p of [fac, mostar, bugojno, general, projector]) await p.expectConnected();

  // The facilitator opens a vote over one lane: 2 dots per municipality.
  const controls = voteControls(fac);
  await controls.getByRole('button', { name: 'Glasanje', exact: true }).click();
  const form = controls.getByRole('form', { name: 'Novo glasanje bodovima' });
  await form.getByLabel('Oblast glasanja').selectOption({ label: LANE_B });
  await form.getByLabel('Bodova po općini').fill('2');
  await form.getByRole('button', { name: 'Pokreni glasanje' }).click();
  await expect(controls.getByTestId('vote-progress')).toHaveText('0 od 8 općina glasalo');

  // Mostar gives both its dots; the third cannot be given.
  await expect(banner(mostar)).toContainText('preostalo vam je 2 od 2 boda');
  await expect(addDot(mostar, 'Odluka o LDP-u kao savjetodavnom tijelu')).toHaveCount(0); // not in the voted lane
  await addDot(mostar, DIJALOG).click();
  await addDot(mostar, DIJALOG).click();
  await expect(dotsOn(mostar, DIJALOG)).toHaveAttribute('data-dots', '2');
  await expect(banner(mostar)).toContainText('preostalo vam je 0 od 2 boda');
  await expect(addDot(mostar, RAZMJENA)).toBeDisabled();

  // Bugojno sees none of Mostar's dots while the vote is open, and gives its own.
  await expect(dotsOn(bugojno, DIJALOG)).toHaveAttribute('data-dots', '0');
  await addDot(bugojno, RAZMJENA).click();
  await addDot(bugojno, DIJALOG).click();
  await expect(banner(bugojno)).toContainText('preostalo vam je 0 od 2 boda');

  // The general coordinator link speaks for no municipality: it cannot vote. The projector shows no dots.
  await expect(general.page.getByTestId('vote-notice')).toContainText('Glasati se može samo preko linka vaše općine');
  await expect(addDot(general, DIJALOG)).toHaveCount(0);
  await expect(projector.page.getByTestId('card-vote-total')).toHaveCount(0);
  await expect(results(projector)).toHaveCount(0);
  await expect(controls.getByTestId('vote-progress')).toHaveText('2 od 8 općina glasalo');
  for (const p of [fac, mostar, general]) expect(await seriousViolations(p.page)).toEqual([]);

  // Revealed: sorted results for everyone, totals on the cards; no more dots.
  await controls.getByRole('button', { name: 'Otkrij rezultate' }).click();
  for (const p of [projector, mostar, bugojno]) {
    await expect(results(p)).toBeVisible();
    const rows = results(p).getByRole('row');
    await expect(rows.nth(1)).toContainText(DIJALOG);
    await expect(rows.nth(1)).toContainText('3');
    await expect(rows.nth(2)).toContainText(RAZMJENA);
  }
  await expect(projector.card(DIJALOG).getByTestId('card-vote-total')).toHaveAttribute('data-dots', '3');
  await expect(addDot(mostar, RAZMJENA)).toHaveCount(0);
  for (const p of [projector, mostar]) expect(await seriousViolations(p.page)).toEqual([]);

  // Re-run: a fresh vote over the same lane; the first is kept with its results.
  await controls.getByRole('button', { name: 'Ponovi glasanje' }).click();
  await expect(banner(mostar)).toContainText('preostalo vam je 2 od 2 boda');
  await expect(results(projector)).toHaveCount(0);
  await fac.page.reload();
  await expect(voteControls(fac).getByText('Ranija glasanja (1)')).toBeVisible();
  await voteControls(fac).getByText('Ranija glasanja (1)').click();
  await expect(voteControls(fac)).toContainText(DIJALOG);
  // Closing the re-run before anyone voted: no vote in the room, both kept in the history.
  await voteControls(fac).getByRole('button', { name: 'Zatvori glasanje' }).click();
  await expect(banner(mostar)).toHaveText(''); // an idle live region, kept so the next vote is announced
  await expect(voteControls(fac).getByText('Ranija glasanja (2)')).toBeVisible();
  await expect(voteControls(fac).getByRole('button', { name: 'Glasanje', exact: true })).toBeVisible();
  await expect(fac.lane(LANE_A)).toBeVisible();

  for (const p of [fac, mostar, bugojno, general, projector]) {
    await p.expectConnected(); // nobody was refused anything along the way
    expect(p.errors).toEqual([]);
  }
  await Promise.all([fac, mostar, bugojno, general, projector].map((p) => p.close()));
});
