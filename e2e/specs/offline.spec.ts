import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const MOVED = 'Volonterska akcija osnovaca';
const ADDED = 'Radionica za savjete mjesnih zajednica';

const SAVED = 'Sve izmjene su sačuvane';
/** How many changes wait on this device: "1 izmjena čeka…", "2 izmjene čekaju…", "5 izmjena čeka…". */
const WAITING = /^\d+ izmjen[ae] čeka(ju)? na ovom uređaju$/;

/** "Have my changes reached the server?", next to the connection state. */
const savedIndicator = (person: BoardPage) => person.page.getByRole('status', { name: 'Izmjene na serveru' });

test('a coordinator’s board keeps working while the server is away, survives a reload, and merges when it is back', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const coordinator = await BoardPage.open(browser, board.links.editor);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await coordinator.expectConnected();
  await expect(savedIndicator(coordinator)).toHaveText(SAVED);
  // The app itself is kept on the device once its service worker is active (it caches the app on install).
  await coordinator.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  // The venue's Wi-Fi is gone (here: the server is).
  await server.stop('SIGKILL');
  await expect(coordinator.connection).toHaveAttribute('data-state', /reconnecting|offline/);

  // Work goes on: a drag and a new activity, both on this device only for now.
  await coordinator.dragCardToLane(MOVED, LANE_A);
  await expect(coordinator.lane(LANE_A).getByRole('article', { name: MOVED })).toBeVisible();
  await coordinator.addActivity(LANE_B, { title: ADDED, lead: 'Grad Mostar' });
  await expect(coordinator.lane(LANE_B).getByRole('article', { name: ADDED })).toBeVisible();
  await expect(savedIndicator(coordinator)).toHaveText(WAITING);
  const laneAOffline = await coordinator.cardTitlesIn(LANE_A);

  // A reload with the server still down: the app from the service worker, the board from IndexedDB.
  await coordinator.page.reload();
  expect(await coordinator.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await expect(coordinator.lane(LANE_A).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(coordinator.lane(LANE_B).getByRole('article', { name: ADDED })).toBeVisible();
  await expect(coordinator.unplaced.getByRole('article', { name: MOVED })).toHaveCount(0);
  expect(await coordinator.cardTitlesIn(LANE_A)).toEqual(laneAOffline);
  await expect(coordinator.connection).toHaveAttribute('data-state', /reconnecting|offline/);
  await expect(savedIndicator(coordinator)).toHaveText(WAITING); // the role and the pending changes were remembered too
  await expect(coordinator.page.getByRole('dialog', { name: 'Dobro došli na tablu' })).toHaveCount(0);

  // The server is back: the offline changes reach it by themselves, and it confirms them.
  await server.restart();
  await coordinator.expectConnected();
  await expect(savedIndicator(coordinator)).toHaveText(SAVED, { timeout: 15_000 });

  // Someone else, on another device, sees all of it in the same places.
  const colleague = await BoardPage.open(browser, board.links.editor);
  await colleague.join('koordinator LDP-a Trnovo', 'Općina Trnovo');
  await expect(colleague.lane(LANE_A).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(colleague.lane(LANE_B).getByRole('article', { name: ADDED })).toBeVisible();
  expect(await colleague.cardTitlesIn(LANE_A)).toEqual(await coordinator.cardTitlesIn(LANE_A));
  expect(await colleague.cardTitlesIn(LANE_B)).toEqual(await coordinator.cardTitlesIn(LANE_B));
  await expect(savedIndicator(colleague)).toHaveText(SAVED);

  // And the colleague's change comes back the other way, confirmed for both.
  await colleague.dragCardToLane(ADDED, LANE_A);
  await expect(coordinator.lane(LANE_A).getByRole('article', { name: ADDED })).toBeVisible();
  await expect(savedIndicator(colleague)).toHaveText(SAVED);
  await expect(savedIndicator(coordinator)).toHaveText(SAVED);

  for (const person of [coordinator, colleague]) expect(person.cspViolations()).toEqual([]);
  await Promise.all([coordinator.close(), colleague.close()]);
});

test('the saved indicator follows each change: saving, then saved once the server confirms it', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const coordinator = await BoardPage.open(browser, board.links.editor);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await coordinator.expectConnected();
  const indicator = savedIndicator(coordinator);
  await expect(indicator).toHaveText(SAVED);
  await coordinator.dragCardToLane(MOVED, LANE_B);
  await expect(coordinator.lane(LANE_B).getByRole('article', { name: MOVED })).toBeVisible();
  await expect(indicator).toHaveText(SAVED);
  // Confirmed means stored: a crash right now loses nothing.
  await server.restart('SIGKILL');
  const fresh = await BoardPage.open(browser, board.links.viewer);
  await fresh.join('posmatrač', 'Grad Mostar');
  await expect(fresh.lane(LANE_B).getByRole('article', { name: MOVED })).toBeVisible();
  // Viewers change nothing: no indicator for them.
  await expect(savedIndicator(fresh)).toHaveCount(0);
  await Promise.all([coordinator.close(), fresh.close()]);
});

test('the facilitator’s lazily loaded panels open offline too (kept by the service worker from the first visit)', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  await facilitator.join('facilitatorica', 'Bez općine (npr. facilitator/ica)');
  await facilitator.expectConnected();
  await facilitator.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await server.stop('SIGKILL');
  await facilitator.page.reload();
  await expect(facilitator.connection).toHaveAttribute('data-state', /reconnecting|offline|connecting/);
  // Never opened before the server went away: its code comes from the service worker's cache.
  await facilitator.page.getByRole('button', { name: 'Postavke table' }).click();
  await expect(facilitator.page.getByRole('dialog', { name: 'Postavke table' })).toBeVisible();
  await server.restart();
  await facilitator.close();
});

test('a change the server refuses is kept aside, not lost: the coordinator is told what and why, and goes on from the server’s board', async ({ browser, server }) => {
  const ODLUKA = 'Odluka o LDP-u kao savjetodavnom tijelu';
  const RENAMED = 'Odluka o LDP-u (nacrt)';
  const board = await server.createBoard('demo');
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  const coordinator = await BoardPage.open(browser, board.links.editor);
  await facilitator.join('facilitatorica', 'Bez općine (npr. facilitator/ica)');
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await coordinator.expectConnected();

  // Offline, the coordinator renames a card in lane A (kept on the device), then leaves the page.
  await server.stop('SIGKILL');
  const editor = await coordinator.openEditor(ODLUKA);
  await editor.getByLabel('Aktivnost', { exact: true }).fill(RENAMED);
  await editor.getByRole('button', { name: 'Sačuvaj' }).click();
  await expect(savedIndicator(coordinator)).toHaveText(WAITING);
  await coordinator.page.waitForTimeout(300); // IndexedDB's write, before the page goes
  await coordinator.page.goto('about:blank');

  // Meanwhile the facilitator locks lane A.
  await server.restart();
  await facilitator.expectConnected();
  const panel = await facilitator.openSetup();
  await panel.getByRole('group', { name: LANE_A, exact: true }).getByRole('button', { name: 'Zaključaj', exact: true }).click();
  await expect(facilitator.lane(LANE_A).getByText('Zaključano')).toBeVisible();

  // The coordinator comes back: the change is refused, kept aside and explained; the board is the server's.
  await coordinator.page.goto(board.links.editor);
  const notice = coordinator.page.getByTestId('held-back');
  await expect(notice.getByRole('alert')).toHaveText(`Tabla nije prihvatila vašu promjenu: oblast „${LANE_A}" je zaključana.`);
  await expect(notice).toContainText(`Izmijenjeno: „${RENAMED}" (${LANE_A})`);
  await expect(notice).toContainText(`Aktivnost: ${ODLUKA} → ${RENAMED}`);
  await expect(coordinator.lane(LANE_A).getByRole('article', { name: ODLUKA })).toBeVisible();
  await coordinator.expectConnected();
  await expect(savedIndicator(coordinator)).toHaveText(SAVED);
  await expect(facilitator.lane(LANE_A).getByRole('article', { name: RENAMED })).toHaveCount(0);

  // Still there after a reload, until the coordinator dismisses it.
  await coordinator.page.reload();
  await expect(notice).toContainText(`Izmijenjeno: „${RENAMED}"`);
  await notice.getByRole('button', { name: 'Zatvori' }).click();
  await expect(notice).toHaveCount(0);
  await coordinator.page.reload();
  await coordinator.expectConnected();
  await expect(coordinator.page.getByTestId('held-back')).toHaveCount(0);
  await Promise.all([facilitator.close(), coordinator.close()]);
});
