import type { Locator } from '@playwright/test';
import { BoardPage } from '../pages/board-page.js';
import { seriousViolations } from '../fixtures/a11y.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const LANE_C = 'Podrška djeci i mladima s poteškoćama u razvoju';
const LANE_D = 'Održivost LDP-a i međuopštinska saradnja';
const ODLUKA = 'Odluka o LDP-u kao savjetodavnom tijelu';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
const BANNER = 'Tabla je zaključana: plan je usaglašen i aktivnosti se više ne mogu mijenjati.';

/** A lane's, municipality's or role's row in the panel: a group named after it. */
const row = (panel: Locator, name: string) => panel.getByRole('group', { name, exact: true });

/** Lane titles in board order, as a coordinator sees them (the pool last). */
const laneOrder = (p: BoardPage) => p.page.locator('[data-lane-id] h2').allTextContents();

test('the facilitator sets up the board live: title, lanes, municipalities, locks; a coordinator sees it and is held by the locks', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const coord = await BoardPage.open(browser, board.links.editor);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await coord.join('koordinatorica LDP-a', 'Grad Mostar');
  await fac.expectConnected();
  await coord.expectConnected();

  // Only the facilitator has the panel; it opens and closes with the keyboard, focus comes back.
  await expect(fac.page.getByRole('button', { name: 'Postavke table' })).toBeVisible();
  await expect(coord.page.getByRole('button', { name: 'Postavke table' })).toHaveCount(0);
  const open = fac.page.getByRole('button', { name: 'Postavke table' });
  await open.focus();
  await fac.page.keyboard.press('Enter');
  await expect(fac.page.getByRole('dialog', { name: 'Postavke table' })).toBeVisible();
  await fac.page.keyboard.press('Escape');
  await expect(fac.page.getByRole('dialog', { name: 'Postavke table' })).toHaveCount(0);
  await expect(open).toBeFocused();

  const panel = await fac.openSetup();
  expect(await seriousViolations(fac.page)).toEqual([]);

  // The board's title: an empty one is refused with a message, then renamed for everyone.
  const title = panel.getByLabel('Naziv table');
  await title.fill('   ');
  await title.press('Enter');
  await expect(panel.getByRole('alert')).toHaveText('Upišite naziv table.');
  await title.fill('MLDP Igman 2022');
  await title.press('Enter');
  await expect(coord.page.getByRole('heading', { level: 1 })).toHaveText('MLDP Igman 2022');

  // Rename a lane.
  const laneD = row(panel, LANE_D);
  await laneD.getByLabel('Naziv oblasti').fill('Održivost LDP-a');
  await laneD.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(coord.lane('Održivost LDP-a')).toBeVisible();
  await expect(coord.lane(LANE_D)).toHaveCount(0);

  // A new municipality: the coordinator can pick it as a partner at once.
  const addMunicipality = panel.getByRole('form', { name: 'Nova općina, opština ili grad' });
  await addMunicipality.getByLabel('Naziv (npr. Općina Trnovo)').fill('Opština Pale');
  await addMunicipality.getByLabel('Vrsta').selectOption({ label: 'Opština' });
  await addMunicipality.getByRole('button', { name: 'Dodaj', exact: true }).click();
  await expect(row(panel, 'Opština Pale')).toBeVisible();
  const editor = await coord.openEditor('Dijalog sa mladima');
  await expect(editor.getByRole('checkbox', { name: 'Opština Pale' })).toBeVisible();
  await editor.getByRole('button', { name: 'Odustani' }).click();
  await expect(editor).toBeHidden();

  // A new lane, at the end; one place up puts it before "Održivost LDP-a".
  const addLane = panel.getByRole('form', { name: 'Nova oblast' });
  await addLane.getByLabel('Naziv nove oblasti').fill('Digitalna participacija');
  await addLane.getByRole('button', { name: 'Dodaj oblast' }).click();
  await expect(coord.lane('Digitalna participacija')).toBeVisible();
  expect((await laneOrder(coord)).slice(-3)).toEqual(['Održivost LDP-a', 'Digitalna participacija', 'Neraspoređene aktivnosti']);
  await row(panel, 'Digitalna participacija').getByRole('button', { name: 'Gore' }).click();
  await expect.poll(() => laneOrder(coord)).toEqual([LANE_A, LANE_B, LANE_C, 'Digitalna participacija', 'Održivost LDP-a', 'Neraspoređene aktivnosti']);
  expect(await laneOrder(fac)).toEqual(await laneOrder(coord));

  // Archive a lane: gone for the coordinator (its activities kept with it); bring it back.
  await row(panel, LANE_B).getByRole('button', { name: 'Arhiviraj' }).click();
  await expect(coord.lane(LANE_B)).toHaveCount(0);
  await expect(coord.card('Dijalog sa mladima')).toHaveCount(0);
  await panel.getByRole('button', { name: `Vrati na tablu: ${LANE_B}` }).click();
  await expect(coord.lane(LANE_B)).toBeVisible();
  await expect(coord.lane(LANE_B).getByRole('article')).toHaveCount(4);

  // Lock lane A: the coordinator sees it locked, cannot add, edit or drag there.
  await row(panel, LANE_A).getByRole('button', { name: 'Zaključaj', exact: true }).click();
  await expect(coord.lane(LANE_A).getByText('Zaključano')).toBeVisible();
  await expect(fac.lane(LANE_A).getByText('Zaključano')).toBeVisible();
  await expect(coord.lane(LANE_A).getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(0);
  await expect(coord.lane(LANE_A).getByRole('button', { name: /^Uredi/ })).toHaveCount(0);
  await expect(coord.lane(LANE_B).getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(1);
  expect(await seriousViolations(coord.page)).toEqual([]); // the lock badge, on a coordinator's board
  const laneABefore = await coord.cardTitlesIn(LANE_A);
  await coord.dragCardToLane(ODLUKA, LANE_B);
  await coord.page.waitForTimeout(500); // a move would show within a frame; give it time to (not) happen
  expect(await coord.cardTitlesIn(LANE_A)).toEqual(laneABefore);
  await expect(coord.lane(LANE_B).getByRole('article', { name: ODLUKA })).toHaveCount(0);
  expect(await fac.cardTitlesIn(LANE_A)).toEqual(laneABefore);
  // Nor can a card be dropped into it: it stays where it was (not in a lane nearby either).
  const poolBefore = await coord.cardTitlesIn('Neraspoređene aktivnosti');
  await coord.dragCardToLane('Volonterska akcija osnovaca', LANE_A);
  // Screen readers hear why: the lane is locked, the card went back.
  await expect(coord.announcements).toContainText(`nije premještena jer je oblast „${LANE_A}" zaključana`);
  await coord.page.waitForTimeout(500);
  expect(await coord.cardTitlesIn(LANE_A)).toEqual(laneABefore);
  expect(await coord.cardTitlesIn('Neraspoređene aktivnosti')).toEqual(poolBefore);
  await coord.expectConnected(); // nothing was even tried: the server refused nothing
  // The facilitator still has every control there.
  await expect(fac.lane(LANE_A).getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(1);

  // Lock the whole board: a banner, no controls anywhere; unlock gives them back.
  await panel.getByRole('button', { name: 'Zaključaj cijelu tablu' }).click();
  await expect(coord.page.getByText(BANNER)).toBeVisible();
  await expect(coord.unplaced.getByText('Zaključano')).toBeVisible();
  await expect(coord.page.getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(0);
  expect(await seriousViolations(coord.page)).toEqual([]); // and the banner
  await panel.getByRole('button', { name: 'Otključaj tablu' }).click();
  await expect(coord.page.getByText(BANNER)).toHaveCount(0);
  await expect(coord.lane(LANE_A).getByText('Zaključano')).toBeVisible(); // the lane's own lock stays
  await row(panel, LANE_A).getByRole('button', { name: 'Otključaj', exact: true }).click();
  await expect(coord.page.getByText('Zaključano')).toHaveCount(0);
  await expect(coord.page.getByRole('button', { name: /Dodaj aktivnost/ })).toHaveCount(6);
  await coord.dragCardToLane(ODLUKA, LANE_B);
  await expect(fac.lane(LANE_B).getByRole('article', { name: ODLUKA })).toBeVisible();

  await panel.getByRole('button', { name: 'Zatvori' }).click();
  await expect(panel).toHaveCount(0);
  expect(fac.cspViolations()).toEqual([]);
  expect(fac.errors).toEqual([]);
  expect(coord.errors).toEqual([]);
  await Promise.all([fac.close(), coord.close()]);
});

test('a new editor link disconnects whoever used the old one; the new link works; a revoked link works nowhere', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const coord = await BoardPage.open(browser, board.links.editor);
  const viewer = await BoardPage.open(browser, board.links.viewer);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await coord.join('koordinatorica LDP-a', 'Grad Mostar');
  await viewer.join('projektor', NO_MUNICIPALITY);
  await coord.expectConnected();
  await viewer.expectConnected();

  const panel = await fac.openSetup();
  const editorLink = row(panel, 'Koordinator/ica');
  await editorLink.getByRole('button', { name: 'Novi link' }).click();
  // It warns first, and nothing happens before the confirmation.
  await expect(editorLink.getByRole('group')).toContainText('odmah prestaje raditi, a svi koji su ga otvorili bit će isključeni');
  await coord.expectConnected();
  await editorLink.getByRole('button', { name: 'Da, napravi novi link' }).click();
  const linkField = editorLink.getByLabel('Novi link za ulogu „Koordinator/ica"');
  await expect(linkField).toBeFocused();
  const newLink = await linkField.inputValue();
  expect(newLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/b\/[^?]+\?token=/);
  expect(newLink).not.toBe(board.links.editor);
  await expect(editorLink.getByRole('button', { name: 'Kopiraj' })).toBeVisible();

  // The coordinator on the old link is disconnected and told the link is no longer valid.
  await expect(coord.page.getByRole('alert')).toContainText('Ovaj link više ne radi');
  // The new link works in a fresh browser; the old one does not.
  const fresh = await BoardPage.open(browser, newLink);
  await fresh.join('koordinatorica LDP-a', 'Grad Mostar');
  await fresh.expectConnected();
  await fresh.dragCardToLane('Volonterska akcija osnovaca', LANE_B);
  await expect(fac.lane(LANE_B).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  const stale = await BoardPage.open(browser, board.links.editor);
  await expect(stale.page.getByRole('alert')).toContainText('Ovaj link ne radi');
  await expect(stale.page.getByRole('alert')).toContainText('Zatražite novi link od facilitatora/ice ove table.');
  // The facilitator and the viewer were not touched.
  await fac.expectConnected();
  await viewer.expectConnected();

  // Revoke the read-only link: asked first; then the viewer is out and there is no link to show.
  const viewerLink = row(panel, 'Samo pregled');
  await viewerLink.getByRole('button', { name: 'Opozovi' }).click();
  await viewerLink.getByRole('button', { name: 'Odustani' }).click();
  await expect(viewerLink.getByRole('button', { name: 'Opozovi' })).toBeFocused();
  await viewer.expectConnected();
  await viewerLink.getByRole('button', { name: 'Opozovi' }).click();
  await viewerLink.getByRole('button', { name: 'Da, opozovi link' }).click();
  await expect(viewerLink).toContainText('Link za ulogu „Samo pregled" je opozvan.');
  await expect(viewer.page.getByRole('alert')).toContainText('Ovaj link više ne radi');
  await fac.expectConnected();
  expect(fac.errors).toEqual([]);
  await Promise.all([fac.close(), coord.close(), viewer.close(), fresh.close(), stale.close()]);
});

test('the facilitator makes the next training’s board from this one: same lanes and municipalities, no activities', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await fac.expectConnected();
  const panel = await fac.openSetup();
  await panel.getByLabel('Naziv nove table').fill('Igman 2023');
  await panel.getByRole('button', { name: 'Napravi novu tablu iz ove' }).click();
  const open = panel.getByRole('link', { name: 'Otvori je kao facilitator/ica' });
  await expect(open).toBeVisible();
  const link = (await open.getAttribute('href'))!;
  expect(link).not.toContain(`/b/${board.id}?`);

  const next = await BoardPage.open(browser, link);
  await next.join('facilitatorica', NO_MUNICIPALITY);
  await expect(next.page.getByRole('heading', { level: 1 })).toHaveText('Igman 2023');
  for (const lane of [LANE_A, LANE_B, LANE_C, LANE_D]) await expect(next.lane(lane)).toBeVisible();
  await expect(next.page.getByRole('article')).toHaveCount(0);
  await Promise.all([fac.close(), next.close()]);
});
