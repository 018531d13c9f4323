import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const LANE_D = 'Održivost LDP-a i međuopštinska saradnja';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
const MOVED = 'Dijalog sa mladima';
const DELETED = 'Razmjena vijeća mladih';

test('the facilitator saves a version, a coordinator changes the board, the facilitator restores it live and undoes the restore', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const coord = await BoardPage.open(browser, board.links.editor);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await coord.join('koordinatorica LDP-a', 'Grad Mostar');
  await fac.expectConnected();
  await coord.expectConnected();

  // The facilitator saves a named version.
  let panel = await fac.openVersions();
  await panel.getByLabel('Naziv verzije').fill('  Usaglašeni plan  ');
  await panel.getByRole('button', { name: 'Sačuvaj verziju' }).click();
  await expect(panel.getByRole('status').first()).toHaveText('Verzija „Usaglašeni plan" je sačuvana.');
  const saved = fac.version(panel, 'Usaglašeni plan');
  await expect(saved).toContainText('facilitatorica');
  await expect(saved).toContainText('15 aktivnosti u 4 oblasti, 8 općina');
  // Bosnian dates even where the browser's Intl has no Bosnian data ("1. decembar 2026. u 18:48", never "M12").
  await expect(saved).not.toContainText(/M\d/);
  await expect(saved).toContainText(/\d{1,2}\. (januar|februar|mart|april|maj|juni|juli|august|septembar|oktobar|novembar|decembar) \d{4}\. u \d\d:\d\d/);
  await panel.getByRole('button', { name: 'Zatvori', exact: true }).first().click();
  await expect(panel).toHaveCount(0);

  // A coordinator moves one card and deletes another.
  await coord.dragCardToLane(MOVED, LANE_D);
  await expect(fac.lane(LANE_D).getByRole('article', { name: MOVED })).toBeVisible();
  await coord.deleteActivity(DELETED);
  await expect(fac.card(DELETED)).toHaveCount(0);

  // The coordinator reads the versions and compares the saved one with the board now, but cannot restore.
  const coordPanel = await coord.openVersions();
  const row = coord.version(coordPanel, 'Usaglašeni plan');
  await expect(row.getByRole('button', { name: 'Vrati ovu verziju' })).toHaveCount(0);
  await row.getByRole('checkbox', { name: 'Uporedi' }).check();
  await coordPanel.getByRole('listitem').filter({ hasText: 'Tabla sada' }).getByRole('checkbox').check();
  await coordPanel.getByRole('button', { name: 'Uporedi odabrane' }).click();
  await expect(coordPanel.getByText(`Premješteno: „${MOVED}" iz „${LANE_B}" u „${LANE_D}"`)).toBeVisible();
  await expect(coordPanel.getByText(`Obrisano: „${DELETED}" (${LANE_B})`)).toBeVisible();
  await expect(coordPanel.getByRole('heading', { name: 'Grad Mostar' })).toBeVisible();
  // And opens the version read-only.
  await row.getByRole('button', { name: 'Otvori' }).click();
  const view = coordPanel.getByRole('region', { name: 'Verzija „Usaglašeni plan" (samo pregled)' });
  await expect(view.getByRole('region', { name: LANE_B })).toContainText(DELETED);
  await coordPanel.getByRole('button', { name: 'Zatvori', exact: true }).first().click();

  // The facilitator restores, after a confirm step inside the app.
  panel = await fac.openVersions();
  await fac.version(panel, 'Usaglašeni plan').getByRole('button', { name: 'Vrati ovu verziju' }).click();
  const confirm = panel.getByRole('alertdialog', { name: 'Vrati ovu verziju' });
  await expect(confirm).toContainText('Vratiti tablu na verziju „Usaglašeni plan"');
  await confirm.getByRole('button', { name: 'Da, vrati' }).click();
  await expect(panel).toHaveCount(0);

  // The coordinator sees the restored board live.
  await expect(coord.lane(LANE_B).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(coord.lane(LANE_B).getByRole('article', { name: DELETED })).toBeVisible();

  // The facilitator undoes the restore: the coordinator's changes are back.
  await fac.page.locator('body').click({ position: { x: 5, y: 5 } });
  await fac.page.keyboard.press('Control+z');
  await expect(coord.lane(LANE_D).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(coord.card(DELETED)).toHaveCount(0);
  await expect(fac.lane(LANE_D).getByRole('article', { name: MOVED })).toBeVisible();

  expect(fac.errors).toEqual([]);
  expect(coord.errors).toEqual([]);
  await fac.close();
  await coord.close();
});

test('a device that was offline during a restore merges its own edit on top when it comes back', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  const coord = await BoardPage.open(browser, board.links.editor);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await coord.join('koordinator LDP-a', 'Općina Trnovo');
  await fac.expectConnected();

  // The coordinator's sync socket goes through a switch: its Wi-Fi can drop while the room's stays.
  let offline = false;
  const open: { close(): Promise<void> }[] = [];
  await coord.page.routeWebSocket(/\/sync\//, (ws) => {
    if (offline) return void ws.close();
    const toServer = ws.connectToServer();
    open.push({ close: async () => (await ws.close(), await toServer.close()) });
  });
  await coord.page.reload();
  await coord.expectConnected();

  const panel = await fac.openVersions();
  await panel.getByLabel('Naziv verzije').fill('Nakon prvog dana');
  await panel.getByRole('button', { name: 'Sačuvaj verziju' }).click();
  await expect(fac.version(panel, 'Nakon prvog dana')).toBeVisible();
  await panel.getByRole('button', { name: 'Zatvori', exact: true }).first().click();

  // The Wi-Fi drops; the coordinator goes on editing another card.
  offline = true;
  for (const socket of open.splice(0)) await socket.close();
  await expect(coord.connection).toHaveAttribute('data-state', /reconnecting|offline/);
  const dialog = await coord.openEditor(DELETED);
  await dialog.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Odgođeno' });
  await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(coord.card(DELETED)).toContainText('Odgođeno');

  // Meanwhile the facilitator moves a card, then restores the version.
  await fac.dragCardToLane(MOVED, LANE_D);
  await expect(fac.lane(LANE_D).getByRole('article', { name: MOVED })).toBeVisible();
  const again = await fac.openVersions();
  await fac.version(again, 'Nakon prvog dana').getByRole('button', { name: 'Vrati ovu verziju' }).click();
  await again.getByRole('alertdialog', { name: 'Vrati ovu verziju' }).getByRole('button', { name: 'Da, vrati' }).click();
  await expect(fac.lane(LANE_B).getByRole('article', { name: MOVED })).toBeVisible();

  // Back online: the restore reaches the device, and the device's edit reaches everyone.
  offline = false;
  await coord.expectConnected();
  await expect(coord.lane(LANE_B).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(fac.card(DELETED)).toContainText('Odgođeno');
  await expect(coord.card(DELETED)).toContainText('Odgođeno');
  await fac.close();
  await coord.close();
});
