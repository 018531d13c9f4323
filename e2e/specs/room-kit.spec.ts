/**
 * Room-ready: the facilitator issues every municipality's link in one action and prints the join
 * cards (A4 portrait, QR codes, the whole address); a card's link opens the board as its
 * municipality; the projector's card opens the board with nothing asked, listed as "Projektor" and
 * not counted as a person; its QR code carries the wall's link; the facilitator puts the
 * commitments matrix on every projector. Screenshots of the sheet (screen, print) and of the
 * projector (1920x1080) go to the test output (test-results/room-kit-*), with the printed PDF.
 */
import { writeFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const NO_MUNICIPALITY = 'Bez općine (npr. facilitator/ica)';
const PROJECTOR = { viewport: { width: 1920, height: 1080 } };

/** axe (WCAG 2.1 A/AA) on one part of the page: its serious and critical findings. */
async function seriousViolationsIn(page: Page, selector: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

/** The link a printed card carries, as a person types it: the scheme and the address as printed. */
async function typedLink(card: Locator): Promise<string> {
  const printed = (await card.locator('.kit-card__address').textContent()) ?? '';
  expect(printed).not.toMatch(/\s|…/); // whole, nothing shortened, nothing to type that is not in the link
  return `http://${printed}`;
}

test('room kit: every link in one action, printed cards, a projector that asks nothing and shows what the facilitator chooses', async ({ browser, server }, testInfo) => {
  test.setTimeout(120_000);
  const board = await server.createBoard('demo');
  const fac = await BoardPage.open(browser, board.links.facilitator);
  await fac.join('facilitatorica', NO_MUNICIPALITY);
  await fac.expectConnected();

  // The kit, in the set-up panel: nothing issued yet for the municipalities; the demo board's own
  // role links exist but are not known on this device.
  const panel = await fac.openSetup();
  const kit = panel.getByRole('region', { name: 'Materijal za salu' });
  const row = (name: string) => kit.getByRole('row').filter({ has: fac.page.getByRole('rowheader', { name, exact: true }) });
  await expect(row('Grad Mostar')).toContainText('Nema linka');
  await expect(row('Projektor i samo pregled')).toContainText('Postoji, ali nije poznat na ovom uređaju');
  await kit.scrollIntoViewIfNeeded();
  expect(await seriousViolationsIn(fac.page, '.room-kit')).toEqual([]);

  // One action: every municipality's link, no warning (none of them had one).
  await kit.getByRole('button', { name: 'Izdaj 8 linkova' }).click();
  await expect(kit).toContainText('Izdano je 8 linkova. Kartice su spremne za štampu.');
  await expect(kit.getByText(/odmah prestaju raditi/)).toHaveCount(0);
  await expect(row('Grad Mostar')).toContainText('Spreman za štampu');

  // Re-issuing is asked for, and warned about, only where a link exists.
  await row('Projektor i samo pregled').getByRole('checkbox', { name: 'Izdaj novi: Projektor i samo pregled' }).check();
  await row('Opći koordinatorski link').getByRole('checkbox', { name: 'Izdaj novi: Opći koordinatorski link' }).check();
  await kit.getByRole('button', { name: 'Izdaj 2 linka' }).click();
  const warning = kit.getByRole('group', { name: /odmah prestaju raditi/ });
  await expect(warning).toContainText('Stari linkovi za: Projektor i samo pregled, Opći koordinatorski link odmah prestaju raditi');
  await expect(warning).not.toContainText('Mostar');
  expect(await seriousViolationsIn(fac.page, '.room-kit')).toEqual([]);
  await warning.getByRole('button', { name: 'Da, izdaj 2 linka' }).click();
  await expect(kit).toContainText('Izdana su 2 linka.');
  // The new read-only link went up on the wall by itself.
  const wall = kit.getByRole('group', { name: 'QR kod na projektoru otvara' });
  await expect(wall.getByRole('radio', { name: /Tablu samo za pregled/ })).toBeChecked();
  await kit.screenshot({ path: testInfo.outputPath('room-kit-panel.png') });

  // The sheet: 8 municipalities, the projector, the general coordinator link, the read-only link.
  await kit.getByRole('button', { name: 'Odštampaj kartice' }).click();
  const sheet = fac.page.getByRole('dialog', { name: 'Kartice za pridruživanje' });
  await expect(sheet).toBeVisible();
  const cards = sheet.getByRole('article');
  await expect(cards).toHaveCount(11);
  const qrs = sheet.getByRole('img', { name: /^QR kod s linkom: / });
  await expect(qrs).toHaveCount(11);
  await expect.poll(() => qrs.evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)).toBe(11);
  await expect(sheet.getByRole('region', { name: /^Strana \d od 2$/ })).toHaveCount(2);
  await expect(cards.nth(0).locator('.kit-card__band')).toHaveCSS('height', /^3[6-9]/); // the colour band, about 10 mm
  expect(await seriousViolationsIn(fac.page, '.room-kit-print')).toEqual([]);
  await fac.page.screenshot({ path: testInfo.outputPath('room-kit-sheet-screen.png') });

  // On paper: the cards alone, two A4 portrait pages, no card split.
  await fac.page.emulateMedia({ media: 'print' });
  await expect(fac.page.locator('header.topbar')).toBeHidden();
  await expect(fac.page.locator('.room-kit-print__bar')).toBeHidden();
  const boxes = await fac.page.locator('.room-kit-page').evaluateAll((pages) => pages.map((p) => p.getBoundingClientRect().height));
  expect(boxes).toHaveLength(2);
  await fac.page.screenshot({ path: testInfo.outputPath('room-kit-sheet-print.png'), fullPage: true });
  const pdf = await fac.page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync(testInfo.outputPath('room-kit-sheet.pdf'), pdf);
  const pdfText = pdf.toString('latin1');
  expect(pdfText.match(/\/Type\s*\/Page\b/g)).toHaveLength(2);
  // A4 portrait: 595 x 842 points.
  for (const box of pdfText.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)) {
    expect(Math.round(Number(box[1]))).toBe(595);
    expect(Math.round(Number(box[2]))).toBe(842);
  }
  await fac.page.emulateMedia({ media: 'screen' });

  const mostarLink = await typedLink(cards.filter({ has: fac.page.getByRole('heading', { name: 'Grad Mostar' }) }));
  const projectorLink = await typedLink(sheet.locator('.kit-card--projector'));
  const editorLink = await typedLink(sheet.locator('.kit-card--editor'));
  expect(await typedLink(sheet.locator('.kit-card--viewer'))).toBe(projectorLink);
  await sheet.getByRole('button', { name: 'Zatvori' }).click();
  await expect(sheet).toBeHidden();
  // Back in the kit, where the sheet was opened from.
  await expect(kit.getByRole('button', { name: 'Odštampaj kartice' })).toBeFocused();

  // Mostar's card opens the board as Mostar.
  const mostar = await BoardPage.open(browser, mostarLink);
  await mostar.joinBound('koordinatorica LDP-a', 'Grad Mostar');
  await mostar.expectConnected();

  // The projector's card: no join dialog, projector view, listed as "Projektor", counted nowhere.
  const projector = await BoardPage.open(browser, projectorLink, PROJECTOR);
  await projector.expectConnected();
  await expect(projector.page.locator('.screen--projector')).toBeVisible();
  await expect(projector.page.locator('.board .card').first()).toBeVisible();
  await expect(projector.page.getByRole('dialog', { name: 'Dobro došli na tablu' })).toHaveCount(0);
  const online = mostar.onlineNow();
  await expect(online.getByRole('listitem').filter({ hasText: 'Projektor' })).toHaveCount(1);
  await expect(online.getByRole('heading')).toHaveText('Trenutno online (2 osobe)'); // the facilitator and Mostar
  await expect(online).not.toContainText('projektor u sali');
  await expect(fac.onlineNow().getByRole('listitem').filter({ hasText: 'Projektor' })).toHaveCount(1);

  // Its QR code carries the wall's link (the read-only link), shown without anyone asking.
  const qr = projector.page.getByRole('img', { name: `QR kod za adresu ${projectorLink}` });
  await expect(qr).toBeVisible();
  await expect(projector.page.getByText('Skenirajte kod i otvorite tablu')).toBeVisible();
  await projector.page.screenshot({ path: testInfo.outputPath('room-kit-projector-board.png') });

  // The facilitator puts the general coordinator link on the wall: warned, and the projector follows.
  await wall.getByRole('radio', { name: /Opći koordinatorski link/ }).check();
  await expect(wall).toContainText('svako u sali ko skenira kod moći će mijenjati tablu');
  await expect(projector.page.getByRole('img', { name: `QR kod za adresu ${editorLink}` })).toBeVisible();
  await wall.getByRole('radio', { name: /Tablu samo za pregled/ }).check();
  await expect(qr).toBeVisible();
  await panel.getByRole('button', { name: 'Zatvori' }).first().click();
  await expect(panel).toBeHidden();

  // The facilitator shows the commitments matrix on every projector, from the session bar.
  const toggle = fac.page.getByRole('button', { name: 'Pregled obaveza na projektoru' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await fac.page.getByRole('region', { name: 'Vođenje sesije' }).screenshot({ path: testInfo.outputPath('room-kit-facilitation-bar.png') });
  const matrix = projector.page.locator('.projector-commitments').getByRole('table');
  await expect(matrix).toBeVisible();
  await expect(matrix.getByRole('rowheader', { name: 'Grad Mostar' })).toBeVisible();
  await expect(projector.page.locator('.board-main')).toBeHidden();
  await expect(matrix.getByRole('row').last()).toBeInViewport({ ratio: 1 }); // the whole matrix on the wall
  await expect(mostar.page.locator('.board-main')).toBeVisible(); // a coordinator's own board is not the wall
  await projector.page.screenshot({ path: testInfo.outputPath('room-kit-projector-matrix.png') });
  await toggle.click();
  await expect(matrix).toBeHidden();
  await expect(projector.page.locator('.board .card').first()).toBeVisible();

  // A person reading on the read-only link steps out of projector view, and is asked then.
  const reader = await BoardPage.open(browser, projectorLink);
  await reader.join('posmatrač', 'Općina Trnovo');
  await expect(online).toContainText('posmatrač');
  await expect(online.getByRole('heading')).toHaveText('Trenutno online (3 osobe)');

  for (const p of [fac, mostar, projector, reader]) {
    expect(p.errors).toEqual([]);
    expect(p.cspViolations()).toEqual([]);
  }
  await Promise.all([fac, mostar, projector, reader].map((p) => p.close()));
});
