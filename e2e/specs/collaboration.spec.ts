import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';

test('two coordinators co-build the plan live, and nothing is lost on reload or server restart', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const mostar = await BoardPage.open(browser, board.links.editor);
  const trnovo = await BoardPage.open(browser, board.links.editor);
  await mostar.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await trnovo.join('koordinator LDP-a Trnovo', 'Općina Trnovo');
  await mostar.expectConnected();
  await trnovo.expectConnected();

  // Each sees the other online.
  await expect(mostar.onlineNow()).toContainText('koordinator LDP-a Trnovo');
  await expect(trnovo.onlineNow()).toContainText('koordinatorica LDP-a Mostar');

  // An activity added in A appears in B.
  await mostar.addActivity(LANE_A, { title: 'Zajednička obuka za vijeća mladih', lead: 'Grad Mostar', status: 'U toku' });
  const added = trnovo.lane(LANE_A).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' });
  await expect(added).toBeVisible();
  await expect(added).toContainText('Grad Mostar');
  await expect(added).toContainText('U toku');

  // A mouse drag in A moves the card for B.
  await mostar.dragCardToLane('Zajednička obuka za vijeća mladih', LANE_B);
  await expect(mostar.lane(LANE_B).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' })).toBeVisible();
  await expect(trnovo.lane(LANE_B).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' })).toBeVisible();
  await expect(trnovo.lane(LANE_A).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' })).toHaveCount(0);
  expect(await trnovo.cardTitlesIn(LANE_B)).toEqual(await mostar.cardTitlesIn(LANE_B)); // same place for both

  // A reload keeps everything (and the person is remembered on this device).
  await trnovo.page.reload();
  await expect(trnovo.lane(LANE_B).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' })).toBeVisible();
  await expect(trnovo.page.getByRole('dialog', { name: 'Dobro došli na tablu' })).toHaveCount(0);

  // A server restart keeps everything; the clients reconnect by themselves.
  await server.restart('SIGTERM');
  await mostar.expectConnected();
  const fresh = await BoardPage.open(browser, board.links.viewer);
  await fresh.join('posmatrač', 'Općina Bugojno (primjer)');
  await expect(fresh.lane(LANE_B).getByRole('article', { name: 'Zajednička obuka za vijeća mladih' })).toBeVisible();
  expect(await fresh.cardTitlesIn(LANE_B)).toEqual(await mostar.cardTitlesIn(LANE_B));
  // The app runs under the server's Content-Security-Policy (no inline scripts) without a violation.
  for (const person of [mostar, trnovo, fresh]) expect(person.cspViolations()).toEqual([]);

  await Promise.all([mostar.close(), trnovo.close(), fresh.close()]);
});

test('a crash (kill -9) right after a move loses nothing another person has seen; the connection state is always visible', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.editor);
  const watcher = await BoardPage.open(browser, board.links.viewer);
  await a.join('koordinatorica LDP-a', 'Općina Novo Sarajevo');
  await watcher.join('posmatrač', 'Grad Mostar');
  await a.expectConnected();
  await watcher.expectConnected();

  await a.dragCardToLane('Volonterska akcija osnovaca', LANE_A);
  // Relayed to someone else means stored: the server writes before it relays.
  await expect(watcher.lane(LANE_A).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await server.stop('SIGKILL');
  await expect(a.connection).toHaveAttribute('data-state', /reconnecting|offline/);
  await expect(a.connection).not.toHaveText('Povezano');

  await server.restart();
  await a.expectConnected();
  const fresh = await BoardPage.open(browser, board.links.viewer);
  await fresh.join('posmatrač 2', 'Grad Mostar');
  await expect(fresh.lane(LANE_A).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await expect(fresh.unplaced.getByRole('article', { name: 'Volonterska akcija osnovaca' })).toHaveCount(0);
  await Promise.all([a.close(), watcher.close(), fresh.close()]);
});

test('a link with a bad token says so, in Bosnian', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const bad = board.links.editor.replace(/token=.*/, 'token=not-a-real-token');
  const page = await BoardPage.open(browser, bad);
  // What happened and whom to ask.
  await expect(page.page.getByRole('heading', { name: 'Ovaj link ne radi' })).toBeVisible();
  await expect(page.page.getByRole('alert')).toContainText('Zatražite novi link od facilitatora/ice ove table.');
  await page.close();
});

test('a coordinator exports the plan as a CSV file for the official plan document (any valid link may)', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const viewer = await BoardPage.open(browser, board.links.editor);
  await viewer.join('koordinatorica LDP-a', 'Grad Mostar');
  // Everything that takes the plan out of the board is in one header menu.
  const menu = viewer.page.getByRole('button', { name: 'Plan i izvoz' });
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  const [download] = await Promise.all([viewer.page.waitForEvent('download'), viewer.page.getByRole('link', { name: 'Izvezi plan (CSV)' }).click()]);
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  expect(download.suggestedFilename()).toMatch(/^plan-.*\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toContain('"Rb.";"Oblast";"Aktivnost"');
  expect(text).toContain('"Zajednički model javnih konsultacija"');
  // The same plan as an Excel workbook.
  await menu.click();
  const [xlsx] = await Promise.all([viewer.page.waitForEvent('download'), viewer.page.getByRole('link', { name: 'Izvezi plan (Excel)' }).click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^plan-.*\.xlsx$/);
  const files = unzipSync(new Uint8Array(readFileSync(await xlsx.path())));
  const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
  const strings = files['xl/sharedStrings.xml'] ? strFromU8(files['xl/sharedStrings.xml']) : '';
  expect(sheet + strings).toContain('Zajednički model javnih konsultacija');
  await viewer.close();
});
