/**
 * State you can trust at a glance (issue "Room-ready", point 4): offline said within seconds of
 * the browser knowing it, with how many changes wait; refusals said in view; the paused timer
 * named; deleting asked in the board's own dialog and undone; a link that does not work says
 * what happened and whom to ask; dates written right in Debian's Chromium (no Bosnian Intl data).
 */
import { BoardPage } from '../pages/board-page.js';
import { ADMIN_TOKEN } from '../fixtures/server.js';
import { expect, test } from '../fixtures/test.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
const VOLONTERI = 'Volonterska akcija osnovaca';
const IZVJESTAJ = 'Godišnji izvještaj LDP-a građanima';
const LAPTOP = { viewport: { width: 1280, height: 800 } };
/** Where the screenshots go for a person to look at (Playwright's own output folder). */
const shot = (name: string) => `test-results/${name}.png`;

/** "Have my changes reached the server?", next to the connection state. */
const savedIndicator = (person: BoardPage) => person.page.getByRole('status', { name: 'Izmjene na serveru' });

test('offline within two seconds of the browser knowing it, with how many changes wait; back online, saved', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const coordinator = await BoardPage.open(browser, board.links.editor, LAPTOP);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await coordinator.expectConnected();
  await expect(savedIndicator(coordinator)).toHaveText('Sve izmjene su sačuvane');

  // The Wi-Fi drops. Playwright's offline mode leaves open sockets alone: only the browser's own
  // offline event can tell the board, long before a silent socket would time out (30 s).
  const lost = Date.now();
  await coordinator.context.setOffline(true);
  await expect(coordinator.connection).toHaveAttribute('data-state', 'offline', { timeout: 2_000 });
  expect(Date.now() - lost).toBeLessThan(2_000);
  await expect(coordinator.connection).toHaveText('Van mreže');

  // Work goes on, counted.
  await coordinator.dragCardToLane(VOLONTERI, LANE_A);
  await expect(coordinator.lane(LANE_A).getByRole('article', { name: VOLONTERI })).toBeVisible();
  await expect(savedIndicator(coordinator)).toHaveText('1 izmjena čeka na ovom uređaju');
  await coordinator.dragCardToLane(IZVJESTAJ, LANE_B);
  await expect(coordinator.lane(LANE_B).getByRole('article', { name: IZVJESTAJ })).toBeVisible();
  await expect(savedIndicator(coordinator)).toHaveText('2 izmjene čekaju na ovom uređaju');
  await coordinator.page.locator('.topbar').screenshot({ path: shot('state-offline-header') });
  await coordinator.page.screenshot({ path: shot('state-offline-page') });

  // Back online: it reconnects at once, sends what waited, and the server confirms it.
  await coordinator.context.setOffline(false);
  await coordinator.expectConnected();
  await expect(savedIndicator(coordinator)).toHaveText('Sve izmjene su sačuvane', { timeout: 10_000 });

  const colleague = await BoardPage.open(browser, board.links.viewer);
  await colleague.join('projektor', NO_MUNICIPALITY);
  await expect(colleague.lane(LANE_A).getByRole('article', { name: VOLONTERI })).toBeVisible();
  await expect(colleague.lane(LANE_B).getByRole('article', { name: IZVJESTAJ })).toBeVisible();
  await Promise.all([coordinator.close(), colleague.close()]);
});

test('a drop on a locked lane says why, in view, and the card stays where it was', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  const coordinator = await BoardPage.open(browser, board.links.editor, LAPTOP);
  await facilitator.join('facilitatorica', NO_MUNICIPALITY);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  const panel = await facilitator.openSetup();
  await panel.getByRole('group', { name: LANE_A, exact: true }).getByRole('button', { name: 'Zaključaj', exact: true }).click();
  await expect(coordinator.lane(LANE_A).getByText('Zaključano')).toBeVisible();

  const poolBefore = await coordinator.cardTitlesIn('Neraspoređene aktivnosti');
  await coordinator.dragCardToLane(VOLONTERI, LANE_A);
  const reason = `Aktivnost „${VOLONTERI}" nije premještena: facilitator/ica je zaključao/la oblast „${LANE_A}".`;
  await expect(coordinator.notices.getByText(reason)).toBeVisible();
  await coordinator.page.screenshot({ path: shot('state-drop-refused') });
  expect(await coordinator.cardTitlesIn('Neraspoređene aktivnosti')).toEqual(poolBefore);
  await coordinator.expectConnected(); // nothing was sent: nothing refused by the server
  // It goes by itself, after a few seconds.
  await expect(coordinator.notices.getByText(reason)).toBeHidden({ timeout: 10_000 });
  await Promise.all([facilitator.close(), coordinator.close()]);
});

test('deleting asks in the board’s own dialog (Escape answers no), and "Poništi" brings the activity back for everyone', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const coordinator = await BoardPage.open(browser, board.links.editor, LAPTOP);
  const colleague = await BoardPage.open(browser, board.links.editor);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await colleague.join('koordinator LDP-a Trnovo', 'Općina Trnovo');
  await coordinator.expectConnected();
  const browserDialogs: string[] = [];
  coordinator.page.on('dialog', (d) => {
    browserDialogs.push(d.message());
    void d.dismiss();
  });

  const dialog = await coordinator.openEditor(VOLONTERI);
  await dialog.getByRole('button', { name: 'Obriši' }).click();
  const question = dialog.getByRole('group', { name: `Obrisati aktivnost „${VOLONTERI}"?` });
  await expect(question).toBeVisible();
  await expect(question.getByRole('button', { name: 'Da, obriši' })).toBeFocused();
  await coordinator.page.screenshot({ path: shot('state-delete-question') });
  await coordinator.page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  await expect(dialog).toBeVisible(); // only the question was answered
  await expect(dialog.getByRole('button', { name: 'Obriši' })).toBeFocused();

  await dialog.getByRole('button', { name: 'Obriši' }).click();
  await question.getByRole('button', { name: 'Da, obriši' }).click();
  await expect(dialog).toBeHidden();
  await expect(coordinator.card(VOLONTERI)).toHaveCount(0);
  await expect(colleague.card(VOLONTERI)).toHaveCount(0);
  const undo = coordinator.notices.getByRole('button', { name: 'Poništi' });
  await expect(coordinator.notices).toContainText(`Aktivnost „${VOLONTERI}" je obrisana.`);
  await expect(undo).toBeFocused(); // the card and its button are gone: the way back has the focus
  await coordinator.page.screenshot({ path: shot('state-deleted-notice') });
  await undo.click();
  await expect(coordinator.card(VOLONTERI)).toBeVisible();
  await expect(colleague.card(VOLONTERI)).toBeVisible();
  await expect(coordinator.notices).toContainText(`Aktivnost „${VOLONTERI}" je vraćena.`);
  await expect(savedIndicator(coordinator)).toHaveText('Sve izmjene su sačuvane');
  await coordinator.expectConnected(); // the server took the undo
  expect(browserDialogs).toEqual([]);
  await Promise.all([coordinator.close(), colleague.close()]);
});

test('a paused timer given a minute still reads "Pauzirano", for everyone', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  const coordinator = await BoardPage.open(browser, board.links.editor);
  await facilitator.join('facilitatorica', NO_MUNICIPALITY);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  const controls = facilitator.page.getByRole('region', { name: 'Vođenje sesije' });
  const phase = (p: BoardPage) => p.page.locator('.timer__phase');
  await controls.getByLabel('Minute').fill('1');
  await controls.getByRole('button', { name: 'Postavi', exact: true }).click();
  for (const p of [facilitator, coordinator]) await expect(phase(p)).toHaveText('Nije pokrenut');
  await controls.getByRole('button', { name: 'Pokreni' }).click();
  for (const p of [facilitator, coordinator]) await expect(phase(p)).toHaveCount(0);
  await facilitator.page.waitForTimeout(1_500);
  await controls.getByRole('button', { name: 'Pauziraj' }).click();
  for (const p of [facilitator, coordinator]) await expect(phase(p)).toHaveText('Pauzirano');
  // More time left than was set: still paused, never "not started".
  await controls.getByRole('button', { name: '+1 min' }).click();
  for (const p of [facilitator, coordinator]) {
    await expect(p.page.getByRole('timer', { name: 'Tajmer' })).toHaveText(/^01:5\d$/);
    await expect(phase(p)).toHaveText('Pauzirano');
  }
  await controls.getByRole('button', { name: 'Vrati na početak' }).click();
  for (const p of [facilitator, coordinator]) await expect(phase(p)).toHaveText('Nije pokrenut');
  await Promise.all([facilitator.close(), coordinator.close()]);
});

test('a link that does not work says what happened and whom to ask: mistyped, and withdrawn while open', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const wrong = new URL(board.links.editor);
  wrong.searchParams.set('token', `${wrong.searchParams.get('token')!.slice(0, -4)}xxxx`);
  const stranger = await BoardPage.open(browser, wrong.toString(), LAPTOP);
  const page = stranger.page.getByRole('alert');
  await expect(stranger.page.getByRole('heading', { level: 1 })).toHaveText('Ovaj link ne radi');
  await expect(page).toContainText('ili link nije cijel');
  await expect(page).toContainText('Zatražite novi link od facilitatora/ice ove table.');
  await expect(page).not.toContainText('Greška');
  await stranger.page.screenshot({ path: shot('state-bad-link') });

  // The facilitator withdraws the coordinators' link while a coordinator has the board open.
  const coordinator = await BoardPage.open(browser, board.links.editor);
  await coordinator.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await coordinator.expectConnected();
  const facilitatorToken = new URL(board.links.facilitator).searchParams.get('token')!;
  const res = await fetch(`${server.baseUrl}/api/boards/${encodeURIComponent(board.id)}/links/editor`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${facilitatorToken}` },
  });
  expect(res.status).toBe(204);
  await expect(coordinator.page.getByRole('heading', { level: 1 })).toHaveText('Ovaj link više ne radi');
  await expect(coordinator.page.getByRole('alert')).toContainText('Facilitator/ica je upravo povukao/la ovaj link ili ga zamijenio/la novim.');
  await expect(coordinator.page.getByRole('alert')).toContainText('Zatražite novi link od facilitatora/ice ove table.');
  await Promise.all([stranger.close(), coordinator.close()]);
});

test('dates and times are written by hand in all three languages, whatever the browser’s locale data', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  // Bugojno's own coordinator link, issued now.
  const res = await fetch(`${server.baseUrl}/api/boards/${encodeURIComponent(board.id)}/links/editor/m_bugojno`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  await facilitator.join('facilitatorica', NO_MUNICIPALITY);
  // What this Chromium's Intl makes of Bosnian (Debian's: "2026 M12 1"): the board does not ask it.
  const intlBosnian = await facilitator.page.evaluate(() => new Intl.DateTimeFormat('bs', { dateStyle: 'long' }).format(new Date(2026, 11, 1)));
  test.info().annotations.push({ type: 'Intl bs in this browser', description: intlBosnian });

  const row = (await facilitator.openSetup()).getByRole('group', { name: 'Koordinator/ica – Općina Bugojno (primjer)', exact: true });
  await expect(row).toContainText(/Link je izdan \d{1,2}\. (januar|februar|mart|april|maj|juni|juli|august|septembar|oktobar|novembar|decembar) \d{4}\. u \d\d:\d\d/);
  await expect(row).not.toContainText(/M\d/);
  await facilitator.page.keyboard.press('Escape');

  await facilitator.switchLanguage('English');
  const english = facilitator.page.getByRole('group', { name: /Coordinator – Općina Bugojno/ });
  await facilitator.page.getByRole('button', { name: 'Board settings' }).click();
  await expect(english).toContainText(/\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d\d:\d\d/);
  await facilitator.page.keyboard.press('Escape');

  await facilitator.page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Српски' });
  await facilitator.page.getByRole('button', { name: 'Подешавања табле' }).click();
  const serbian = facilitator.page.getByRole('group', { name: /Координатор\/ка – Општина Бугојно|Координатор\/ка – Općina Bugojno/ });
  await expect(serbian).toContainText(/\d{1,2}\. (јануар|фебруар|март|април|мај|јун|јул|август|септембар|октобар|новембар|децембар) \d{4}\. у \d\d:\d\d/);
  await facilitator.close();
});
