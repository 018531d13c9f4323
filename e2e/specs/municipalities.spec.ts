import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
/** The page of a link that no longer works: what happened and whom to ask. */
const NOT_VALID = /Ovaj link (više )?ne radi.*Zatražite novi link od facilitatora/;

test('one coordinator link per municipality: attribution that cannot be spoofed, partner joins in its own name, revocable', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await fac.expectConnected();

  // The facilitator issues Mostar's link in the set-up panel (Bugojno's through the same API).
  const panel = await fac.openSetup();
  const mostarRow = panel.getByRole('group', { name: 'Koordinator/ica – Grad Mostar', exact: true });
  await expect(mostarRow).toContainText('Još nema linka.');
  await mostarRow.getByRole('button', { name: 'Novi link' }).click();
  await mostarRow.getByRole('button', { name: 'Da, napravi novi link' }).click();
  const mostarLink = await mostarRow.getByLabel('Novi link za ulogu „Koordinator/ica – Grad Mostar"').inputValue();
  await expect(mostarRow).toContainText('Link je izdan');
  await panel.getByRole('button', { name: 'Zatvori' }).first().click();
  const bugojnoLink = await server.issueMunicipalityLink(board, 'm_bugojno');

  const mostar = await BoardPage.open(browser, mostarLink);
  const bugojno = await BoardPage.open(browser, bugojnoLink);
  const projector = await BoardPage.open(browser, board.links.viewer);
  // The link says which municipality: shown, not asked.
  await mostar.joinBound('koordinatorica LDP-a', 'Grad Mostar');
  await bugojno.joinBound('koordinator LDP-a', 'Općina Bugojno (primjer)');
  // The projector (read-only link) asks nothing.
  await mostar.expectConnected();
  await bugojno.expectConnected();

  // Mostar proposes an activity: everyone sees who proposed it.
  await mostar.addActivity(LANE_B, { title: 'Zajednička ruta za mlade', lead: 'Grad Mostar' });
  for (const p of [bugojno, projector, fac]) await expect(p.card('Zajednička ruta za mlade')).toContainText('Predlagač: Grad Mostar');

  // Bugojno joins as a partner, in its own name.
  await bugojno.card('Zajednička ruta za mlade').getByRole('button', { name: 'Pridruži se kao partner aktivnosti „Zajednička ruta za mlade"' }).click();
  await expect(mostar.card('Zajednička ruta za mlade')).toContainText('Općina Bugojno (primjer)');
  // Other partners are Mostar's to name: in Bugojno's editor only Bugojno's own box can change.
  const editor = await bugojno.openEditor('Zajednička ruta za mlade');
  await expect(editor.getByRole('checkbox', { name: 'Općina Novi Travnik' })).toBeDisabled();
  await expect(editor.getByRole('checkbox', { name: 'Općina Bugojno (primjer)' })).toBeEnabled();
  await expect(editor).toContainText('Predlagač: Grad Mostar');
  await editor.getByRole('button', { name: 'Sačuvaj' }).click();
  // Mostar names a partner on its own activity.
  const own = await mostar.openEditor('Zajednička ruta za mlade');
  await own.getByRole('checkbox', { name: 'Općina Novi Travnik' }).check();
  await own.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(bugojno.card('Zajednička ruta za mlade')).toContainText('Općina Novi Travnik');
  await mostar.expectConnected();
  await bugojno.expectConnected();

  // Revoking Mostar's link disconnects Mostar only.
  const again = await fac.openSetup();
  const row = again.getByRole('group', { name: 'Koordinator/ica – Grad Mostar', exact: true });
  await row.getByRole('button', { name: 'Opozovi' }).click();
  await row.getByRole('button', { name: 'Da, opozovi link' }).click();
  await expect(mostar.page.getByRole('alert')).toContainText(NOT_VALID);
  await expect(row).toContainText('Još nema linka.');
  await bugojno.expectConnected();
  await fac.expectConnected();
  for (const p of [fac, mostar, bugojno, projector]) expect(p.errors.filter((e) => !e.includes('401'))).toEqual([]);
  await Promise.all([fac.close(), mostar.close(), bugojno.close(), projector.close()]);
});
