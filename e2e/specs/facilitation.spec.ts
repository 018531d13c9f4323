import type { Browser } from '@playwright/test';
import { BoardPage } from '../pages/board-page.js';
import { seriousViolations } from '../fixtures/a11y.js';
import { expect, test } from '../fixtures/test.js';
import type { TestServer } from '../fixtures/server.js';

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const LANE_C = 'Podrška djeci i mladima s poteškoćama u razvoju';
const LANE_D = 'Održivost LDP-a i međuopštinska saradnja';
const POOL = 'Neraspoređene aktivnosti';
const LANES = [LANE_A, LANE_B, LANE_C, LANE_D, POOL];
const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };

/**
 * The room: the facilitator, two coordinators of different municipalities (a smaller laptop
 * for one, so following has to scroll), and the projector (the read-only link, 1080p).
 */
async function openRoom(browser: Browser, server: TestServer) {
  const board = await server.createBoard('demo');
  const facilitator = await BoardPage.open(browser, board.links.facilitator);
  const mostar = await BoardPage.open(browser, board.links.editor, { viewport: { width: 1280, height: 720 } });
  const trnovo = await BoardPage.open(browser, board.links.editor);
  const projector = await BoardPage.open(browser, board.links.viewer, PROJECTOR);
  await facilitator.join('facilitatorica', NO_MUNICIPALITY);
  await mostar.join('koordinatorica LDP-a Mostar', 'Grad Mostar');
  await trnovo.join('koordinator LDP-a Trnovo', 'Općina Trnovo');
  const everyone = [facilitator, mostar, trnovo, projector];
  for (const person of everyone) await person.expectConnected();
  return { facilitator, mostar, trnovo, projector, everyone };
}

const tools = (p: BoardPage) => p.page.getByRole('region', { name: 'Vođenje sesije' });
const timer = (p: BoardPage) => p.page.getByRole('timer', { name: 'Tajmer' });
const toSeconds = (text: string | null) => {
  const m = /^(\d+):(\d\d)$/.exec((text ?? '').trim());
  if (!m) throw new Error(`not mm:ss: ${text}`);
  return Number(m[1]) * 60 + Number(m[2]);
};
/** Every screen's countdown, read at (nearly) the same moment. */
const readAll = (people: BoardPage[]) => Promise.all(people.map((p) => timer(p).textContent().then(toSeconds)));

test('the shared timer: everyone sees the same countdown, paused, extended, reset, and the end', async ({ browser, server }) => {
  const { facilitator, mostar, projector, everyone } = await openRoom(browser, server);
  const controls = tools(facilitator);
  // Only the facilitator has the controls.
  await expect(tools(mostar).getByRole('button', { name: 'Pokreni' })).toHaveCount(0);
  await expect(tools(projector).getByRole('button', { name: 'Pokreni' })).toHaveCount(0);

  // One minute, started: the same mm:ss everywhere (within a second), counting down.
  await controls.getByLabel('Minute').fill('1');
  await controls.getByRole('button', { name: 'Postavi', exact: true }).click();
  for (const person of everyone) await expect(timer(person)).toHaveText('01:00');
  await controls.getByRole('button', { name: 'Pokreni' }).click();
  for (const person of everyone) await expect(timer(person)).not.toHaveText('01:00', { timeout: 5_000 });
  for (let i = 0; i < 3; i++) {
    const values = await readAll(everyone);
    expect(Math.max(...values) - Math.min(...values), values.join(' ')).toBeLessThanOrEqual(1);
    expect(Math.max(...values)).toBeLessThan(60);
    await facilitator.page.waitForTimeout(700);
  }

  // Pause: it stops for everyone, at the same value.
  await controls.getByRole('button', { name: 'Pauziraj' }).click();
  await expect.poll(async () => new Set(await readAll(everyone)).size).toBe(1);
  const paused = (await readAll(everyone))[0]!;
  await facilitator.page.waitForTimeout(1_500);
  expect(await readAll(everyone)).toEqual([paused, paused, paused, paused]);
  await expect(mostar.page.getByText('Pauzirano')).toBeVisible();

  // +1 min, then reset to the set duration.
  await controls.getByRole('button', { name: '+1 min' }).click();
  for (const person of everyone) await expect(timer(person)).toHaveText(`0${Math.floor((paused + 60) / 60)}:${String((paused + 60) % 60).padStart(2, '0')}`);
  await controls.getByRole('button', { name: 'Vrati na početak' }).click();
  for (const person of everyone) await expect(timer(person)).toHaveText('01:00');

  // The end: a 3-second timer (0,05 min) runs out; everyone gets the signal.
  await controls.getByLabel('Minute').fill('0,05');
  await controls.getByRole('button', { name: 'Postavi', exact: true }).click();
  for (const person of everyone) await expect(timer(person)).toHaveText('00:03');
  await expect(mostar.page.getByRole('alert').filter({ hasText: 'Vrijeme je isteklo' })).toHaveCount(0);
  await controls.getByRole('button', { name: 'Pokreni' }).click();
  for (const person of everyone) {
    await expect(person.page.getByRole('alert').filter({ hasText: 'Vrijeme je isteklo' })).toBeVisible();
    await expect(timer(person)).toHaveText('00:00');
  }
  // On the projector, big and high contrast: white on dark red, at least 40 px.
  const banner = projector.page.getByRole('alert').filter({ hasText: 'Vrijeme je isteklo' });
  const style = await banner.evaluate((el) => {
    const s = getComputedStyle(el);
    return { size: parseFloat(s.fontSize), color: s.color, background: s.backgroundColor };
  });
  expect(style.size).toBeGreaterThanOrEqual(40);
  expect(style.color).toBe('rgb(255, 255, 255)');
  expect(style.background).toBe('rgb(164, 22, 26)');

  await controls.getByRole('button', { name: 'Ukloni tajmer' }).click();
  for (const person of everyone) await expect(timer(person)).toHaveCount(0);
  for (const person of everyone) expect(person.errors).toEqual([]);
  await Promise.all(everyone.map((p) => p.close()));
});

test('spotlight and the projector view: the rest dims for everyone; the projector is large, plain and colour-blind safe', async ({ browser, server }) => {
  const { facilitator, mostar, trnovo, projector, everyone } = await openRoom(browser, server);

  // Spotlight on lane B: the other lanes dim for the coordinators and the projector.
  await expect(mostar.lane(LANE_B).getByRole('button', { name: /Istakni/ })).toHaveCount(0); // facilitator only
  await facilitator.lane(LANE_B).getByRole('button', { name: `Istakni oblast „${LANE_B}" za sve` }).click();
  for (const person of [mostar, trnovo, projector]) {
    await expect(person.lane(LANE_B)).toHaveClass(/lane--spotlit/);
    for (const title of LANES.filter((t) => t !== LANE_B)) await expect(person.lane(title), title).toHaveClass(/lane--dimmed/);
    await expect(person.page.getByText(`Istaknuto za sve: ${LANE_B}`)).toBeVisible();
  }
  // Dimmed text stays readable: dark text, no transparency, and no contrast finding anywhere.
  for (const person of [mostar, projector]) {
    const dimmed = await person.card('Zajednički model javnih konsultacija').evaluate((el) => ({ color: getComputedStyle(el).color, opacity: getComputedStyle(el).opacity }));
    expect(dimmed).toEqual({ color: 'rgb(79, 91, 102)', opacity: '1' });
  }
  await tools(facilitator).getByLabel('Minute').fill('5');
  await tools(facilitator).getByRole('button', { name: 'Postavi', exact: true }).click();
  await expect(timer(projector)).toHaveText('05:00');
  for (const person of [facilitator, mostar, projector]) expect(await seriousViolations(person.page)).toEqual([]);

  // A card instead: its lane stays, its neighbours dim.
  await facilitator.card('Razmjena vijeća mladih').getByRole('button', { name: 'Istakni aktivnost „Razmjena vijeća mladih" za sve' }).click();
  await expect(trnovo.card('Razmjena vijeća mladih')).toHaveClass(/card--spotlit/);
  await expect(trnovo.card('Dijalog sa mladima')).toHaveClass(/card--spot-dimmed/);
  await expect(trnovo.lane(LANE_A)).toHaveClass(/lane--dimmed/);
  await expect(trnovo.lane(LANE_B)).not.toHaveClass(/lane--dimmed/);

  // Cleared: nothing dims.
  await tools(facilitator).getByRole('button', { name: 'Prekini isticanje' }).click();
  for (const person of [mostar, trnovo, projector]) {
    for (const title of LANES) await expect(person.lane(title), title).not.toHaveClass(/lane--(dimmed|spotlit)/);
  }

  // The projector (viewer link) opened in projector view by itself.
  const page = projector.page;
  await expect(page.getByRole('button', { name: 'Prikaz za projektor' })).toHaveAttribute('aria-pressed', 'true');
  await expect(mostar.page.getByRole('button', { name: 'Prikaz za projektor' })).toHaveAttribute('aria-pressed', 'false');
  // Large titles, readable from the back of the room (the whole plan fits: layout.spec.ts checks 18 px at 1920x1080).
  for (const title of ['Dijalog sa mladima', 'Razmjena vijeća mladih', 'Volonterska akcija osnovaca']) {
    const size = await projector.card(title).getByRole('heading').evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    expect(size, title).toBeGreaterThanOrEqual(18);
  }
  // No editing chrome: no add, edit, partner or undo buttons, no filter bar.
  await expect(page.getByRole('button', { name: /Dodaj aktivnost|Uredi|Pridruži se|Poništi|Ponovi|Istakni/ })).toHaveCount(0);
  await expect(page.locator('.filters')).toHaveCount(0);
  // Every lane fits the screen's width, no horizontal scrolling.
  for (const title of LANES) {
    const box = (await projector.lane(title).boundingBox())!;
    expect(box.x, title).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, title).toBeLessThanOrEqual(PROJECTOR.viewport.width);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  // Municipality codes beside the colour swatches (and a legend): colour is not the only cue.
  await expect(projector.card('Razmjena vijeća mladih').locator('.card__lead')).toHaveText(/MOS\s*Nosilac: Grad Mostar/);
  await expect(projector.card('Forum građana „Dva Trnova"').locator('.card__lead .chip__code')).toHaveText('TRN1');
  await expect(projector.card('Forum građana „Dva Trnova"').locator('.card__partners')).toContainText('TRN2');
  const legend = page.locator('.projector-legend');
  await expect(legend).toContainText('NS');
  await expect(legend).toContainText('Općina Novo Sarajevo');
  await expect(legend.getByRole('listitem')).toHaveCount(8);
  // The legend is the projector's (a coordinator's cards carry the same codes on their chips). On every
  // projector, the join code (no wall link set yet: the address).
  await expect(mostar.page.locator('.projector-legend')).toHaveCount(0);
  await expect(mostar.card('Forum građana „Dva Trnova"').locator('.card__lead .chip__code')).toHaveText('TRN1');
  await expect(page.getByText(`Pridružite se: ${new URL(server.baseUrl).host}`)).toBeVisible();

  // The facilitator may switch to projector view: then the board's address and its QR code show.
  await facilitator.page.getByRole('button', { name: 'Prikaz za projektor' }).click();
  const host = new URL(server.baseUrl).host;
  await expect(facilitator.page.getByText(`Pridružite se: ${host}`)).toBeVisible();
  await expect(facilitator.page.getByRole('img', { name: `QR kod za adresu ${server.baseUrl}` })).toBeVisible();
  await expect(facilitator.page.getByRole('button', { name: /Dodaj aktivnost|Uredi|Poništi/ })).toHaveCount(0);
  await facilitator.page.getByRole('button', { name: 'Prikaz za projektor' }).click();
  await expect(facilitator.lane(LANE_A).getByRole('button', { name: /Dodaj aktivnost/ })).toBeVisible();

  for (const person of everyone) expect(person.errors).toEqual([]);
  for (const person of everyone) expect(person.cspViolations()).toEqual([]);
  await Promise.all(everyone.map((p) => p.close()));
});

test('follow me: the projector always follows the facilitator; "Bring everyone here" until one steps away', async ({ browser, server }) => {
  const { facilitator, mostar, trnovo, projector, everyone } = await openRoom(browser, server);
  const FAR = 'Obuka mladih kofacilitatora'; // the fourth card of lane A: below the fold on a small laptop
  await expect(mostar.card(FAR)).not.toBeInViewport();
  await expect(tools(facilitator)).toContainText('Kliknite naslov oblasti ili aktivnost');

  // The facilitator goes to a card: the projector scrolls to it and marks it; coordinators do not follow yet.
  await facilitator.card(FAR).scrollIntoViewIfNeeded();
  await facilitator.card(FAR).getByRole('heading').click();
  await expect(tools(facilitator)).toContainText(`Vaš fokus: ${FAR}`);
  await expect(projector.card(FAR)).toHaveAttribute('data-followed', 'true');
  await expect(projector.card(FAR)).toBeInViewport();
  await expect(mostar.card(FAR)).not.toHaveAttribute('data-followed', 'true');

  // A lane far to the right, by its heading.
  await facilitator.lane(POOL).getByRole('heading', { name: POOL }).click();
  await expect(projector.lane(POOL)).toHaveAttribute('data-followed', 'true');
  await expect(projector.lane(POOL)).toBeInViewport();
  await expect(projector.card(FAR)).not.toHaveAttribute('data-followed', 'true');

  // "Bring everyone here": both coordinators follow, scrolled there and marked.
  await facilitator.card(FAR).getByRole('heading').click();
  await tools(facilitator).getByRole('button', { name: 'Pozovi sve ovdje' }).click();
  for (const person of [mostar, trnovo]) {
    await expect(person.page.getByRole('status').filter({ hasText: `Pratite facilitatora: ${FAR}` })).toBeVisible();
    await expect(person.card(FAR)).toHaveAttribute('data-followed', 'true');
    await expect(person.card(FAR)).toBeInViewport();
  }
  await expect(facilitator.card(FAR)).not.toHaveAttribute('data-followed', 'true'); // the facilitator leads

  // The facilitator moves on: followers move with them.
  await facilitator.lane(LANE_D).getByRole('heading', { name: LANE_D }).click();
  for (const person of [mostar, trnovo, projector]) await expect(person.lane(LANE_D)).toHaveAttribute('data-followed', 'true');

  // Mostar steps away: no more following there, until the next summon; Trnovo and the projector still follow.
  await mostar.page.getByRole('button', { name: 'Prestani pratiti' }).click();
  await expect(mostar.page.getByText(/Pratite facilitatora/)).toHaveCount(0);
  await expect(mostar.lane(LANE_D)).not.toHaveAttribute('data-followed', 'true');
  await facilitator.card('Dijalog sa mladima').getByRole('heading').click();
  for (const person of [trnovo, projector]) await expect(person.card('Dijalog sa mladima')).toHaveAttribute('data-followed', 'true');
  await expect(mostar.card('Dijalog sa mladima')).not.toHaveAttribute('data-followed', 'true');
  // Stepping away is remembered on that device (a reload does not pull Mostar back in).
  await mostar.page.reload();
  await mostar.expectConnected();
  await expect(mostar.card('Dijalog sa mladima')).toBeVisible();
  await expect(mostar.card('Dijalog sa mladima')).not.toHaveAttribute('data-followed', 'true');

  // A new summon brings Mostar back.
  await tools(facilitator).getByRole('button', { name: 'Pozovi sve ovdje' }).click();
  await expect(mostar.card('Dijalog sa mladima')).toHaveAttribute('data-followed', 'true');
  await expect(mostar.page.getByRole('status').filter({ hasText: 'Pratite facilitatora: Dijalog sa mladima' })).toBeVisible();

  for (const person of everyone) expect(person.errors).toEqual([]);
  await Promise.all(everyone.map((p) => p.close()));
});
