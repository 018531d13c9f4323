import { type Browser, type BrowserContext, expect, type Locator, type Page } from '@playwright/test';

export interface NewActivity {
  readonly title: string;
  readonly lead?: string;
  readonly status?: string;
  readonly description?: string;
}

/** One person at the board, in their own browser context. Specs speak through this. */
export class BoardPage {
  /** Console errors and uncaught exceptions of the page, e.g. Content-Security-Policy violations. */
  readonly errors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
    page.on('pageerror', (e) => this.errors.push(e.message));
  }

  /** A 13" laptop by default; pass a tablet's viewport with `hasTouch` for touch. */
  static async open(browser: Browser, link: string, device: { viewport: { width: number; height: number }; hasTouch?: boolean } = { viewport: { width: 1440, height: 900 } }): Promise<BoardPage> {
    const context = await browser.newContext(device);
    const page = await context.newPage();
    const board = new BoardPage(context, page);
    await page.goto(link);
    return board;
  }

  /**
   * The join step: name (or role) and municipality, remembered on this device. A read-only link
   * opens as the room's projector, which asks nothing: a person reading on their own screen
   * switches projector view off first, and is asked then.
   */
  async join(name: string, municipality: string): Promise<void> {
    const dialog = this.page.getByRole('dialog', { name: 'Dobro došli na tablu' });
    const projector = this.page.locator('.screen--projector');
    await expect(dialog.or(projector)).toBeVisible();
    if (await projector.isVisible()) await this.page.getByRole('button', { name: 'Prikaz za projektor' }).click();
    await dialog.getByLabel('Vaše ime ili uloga').fill(name);
    await dialog.getByLabel('Općina / opština / grad').selectOption({ label: municipality });
    await dialog.getByRole('button', { name: 'Uđi na tablu' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The join step on a link bound to a municipality: the municipality is shown, not asked. */
  async joinBound(name: string, municipality: string): Promise<void> {
    const dialog = this.page.getByRole('dialog', { name: 'Dobro došli na tablu' });
    await expect(dialog.getByText(municipality, { exact: true })).toBeVisible();
    await expect(dialog.getByLabel('Općina / opština / grad')).toHaveCount(0);
    await dialog.getByLabel('Vaše ime ili uloga').fill(name);
    await dialog.getByRole('button', { name: 'Uđi na tablu' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The facilitator's "Postavke table": a modal dialog opened from the header. */
  async openSetup(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Postavke table' }).click();
    const panel = this.page.getByRole('dialog', { name: 'Postavke table' });
    await expect(panel).toBeVisible();
    return panel;
  }

  /** "Verzije": the board's saved versions, a modal dialog opened from the header (every link). */
  async openVersions(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Verzije', exact: true }).click();
    const panel = this.page.getByRole('dialog', { name: 'Verzije table' });
    await expect(panel).toBeVisible();
    return panel;
  }

  /** A saved version's row in the versions panel. */
  version(panel: Locator, name: string): Locator {
    return panel.getByRole('listitem').filter({ has: this.page.getByText(name, { exact: true }) });
  }

  /** Deletes an activity from its editor, answering the board's own question in the dialog. */
  async deleteActivity(cardTitle: string): Promise<void> {
    const dialog = await this.openEditor(cardTitle);
    await dialog.getByRole('button', { name: 'Obriši' }).click();
    await dialog.getByRole('group', { name: /^Obrisati aktivnost/ }).getByRole('button', { name: 'Da, obriši' }).click();
    await expect(this.card(cardTitle)).toHaveCount(0);
  }

  /** The notices at the bottom of the window (why something was refused, "Poništi" after a delete). */
  get notices(): Locator {
    return this.page.locator('.toasts');
  }

  lane(title: string): Locator {
    return this.page.getByRole('region', { name: title, exact: true });
  }

  get unplaced(): Locator {
    return this.lane('Neraspoređene aktivnosti');
  }

  card(title: string): Locator {
    return this.page.getByRole('article', { name: title, exact: true });
  }

  cardTitlesIn(laneTitle: string): Promise<string[]> {
    return this.lane(laneTitle).getByRole('article').locator('h3').allTextContents();
  }

  get connection(): Locator {
    return this.page.getByRole('status', { name: 'Veza sa serverom' });
  }

  async expectConnected(): Promise<void> {
    await expect(this.connection).toHaveAttribute('data-state', 'connected');
  }

  onlineNow(): Locator {
    return this.page.getByRole('region', { name: /Trenutno online/ });
  }

  async addActivity(laneTitle: string, activity: NewActivity): Promise<void> {
    await this.lane(laneTitle).getByRole('button', { name: /Dodaj aktivnost/ }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Nova aktivnost' });
    await dialog.getByLabel('Aktivnost', { exact: true }).fill(activity.title);
    if (activity.description) await dialog.getByLabel('Opis').fill(activity.description);
    if (activity.lead) await dialog.getByLabel('Nosilac').selectOption({ label: activity.lead });
    if (activity.status) await dialog.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: activity.status });
    await dialog.getByRole('button', { name: 'Sačuvaj' }).click();
    await expect(dialog).toBeHidden();
  }

  /** A mouse drag of the whole card into a lane (dnd-kit needs a real pointer path). */
  async dragCardToLane(cardTitle: string, laneTitle: string): Promise<void> {
    const to = (await this.lane(laneTitle).boundingBox())!;
    await this.mouseDrag(cardTitle, () => ({ x: to.x + to.width / 2, y: this.onScreenY(to) }));
  }

  /** A mouse drag of a card until its middle is over the upper half of another card: it lands just before it. */
  async dragCardBefore(cardTitle: string, targetTitle: string): Promise<void> {
    await this.mouseDrag(cardTitle, async (from, grabY) => {
      const to = (await this.card(targetTitle).boundingBox())!;
      return { x: to.x + to.width / 2, y: to.y + to.height / 4 - (from.height / 2 - grabY) };
    });
  }

  /** Picks a card up 10 px below its top edge and lets go where `pointer` says (worked out once the card is in view). */
  private async mouseDrag(cardTitle: string, pointer: (from: { height: number }, grabY: number) => { x: number; y: number } | Promise<{ x: number; y: number }>): Promise<void> {
    const card = this.card(cardTitle);
    await card.scrollIntoViewIfNeeded();
    const from = (await card.boundingBox())!;
    const grabY = 10;
    const to = await pointer(from, grabY);
    const { mouse } = this.page;
    await mouse.move(from.x + from.width / 2, from.y + grabY);
    await mouse.down();
    await mouse.move(from.x + from.width / 2 + 12, from.y + grabY + 12, { steps: 3 });
    await mouse.move(to.x, to.y, { steps: 20 });
    await mouse.up();
  }

  /**
   * A height inside the lane and well inside the viewport: near an edge dnd-kit auto-scrolls,
   * and the lane would move away from under the pointer.
   */
  private onScreenY(lane: { y: number; height: number }): number {
    const viewport = this.page.viewportSize()!;
    return Math.min(Math.max(lane.y + lane.height / 2, viewport.height * 0.3), viewport.height * 0.7);
  }

  /** A finger drag (real touch events through the browser's input pipeline): press, hold, move, lift. */
  async touchDragCardToLane(cardTitle: string, laneTitle: string): Promise<void> {
    const card = this.card(cardTitle);
    await card.scrollIntoViewIfNeeded();
    const from = (await card.boundingBox())!;
    const to = (await this.lane(laneTitle).boundingBox())!;
    const cdp = await this.context.newCDPSession(this.page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
    const x0 = from.x + from.width / 2;
    const y0 = from.y + 12;
    await touch('touchStart', x0, y0);
    await this.page.waitForTimeout(350); // the touch sensor's hold delay, so a swipe still scrolls
    const x1 = to.x + to.width / 2;
    const y1 = this.onScreenY(to);
    for (let i = 1; i <= 15; i++) await touch('touchMove', x0 + ((x1 - x0) * i) / 15, y0 + ((y1 - y0) * i) / 15);
    await touch('touchEnd', x1, y1);
    await cdp.detach();
  }

  /**
   * Keyboard only: focus the card, pick it up with space, arrow keys, drop with space.
   * Waits for each spoken "is over" after a key, as a listener would, before the next one.
   */
  async moveCardWithKeyboard(cardTitle: string, keys: readonly ('ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight')[]): Promise<void> {
    await this.card(cardTitle).focus();
    await this.page.keyboard.press('Space');
    await expect(this.announcements).toContainText('je iznad');
    for (const key of keys) {
      const before = await this.announcements.textContent();
      await this.page.keyboard.press(key);
      await expect(this.announcements).not.toHaveText(before ?? '');
    }
    await this.page.keyboard.press('Space');
    await expect(this.announcements).toContainText('spuštena');
  }

  /** What dnd-kit's live region last told screen readers. */
  get announcements(): Locator {
    return this.page.locator('[id^="DndLiveRegion"]');
  }

  async openEditor(cardTitle: string): Promise<Locator> {
    await this.card(cardTitle).getByRole('button', { name: /Uredi/ }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Uredi aktivnost' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  async switchLanguage(label: 'English' | 'Bosanski'): Promise<void> {
    await this.page.getByRole('combobox', { name: /Jezik|Language/ }).selectOption({ label });
  }

  cspViolations(): string[] {
    return this.errors.filter((e) => /Content Security Policy/i.test(e));
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
