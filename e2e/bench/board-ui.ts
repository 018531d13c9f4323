/**
 * The board in Chromium with a large plan (`activities` over `lanes` lanes, default 300 over 6):
 * - first load until interactive on a throttled connection (venue Wi-Fi: 1.6 Mbit/s each way,
 *   150 ms round trip, Chrome DevTools network emulation), a new visitor: no cache, no service
 *   worker. Interactive: every card is in the page, the socket is connected and synced, and the
 *   join dialog takes input; the time is the page's own clock from navigation start;
 * - the second visit with the network off: the app from the service worker, the board from the
 *   device (IndexedDB), until every card is shown;
 * - the JavaScript the first load ran before it was interactive, gzipped (and as sent);
 * - frame intervals (requestAnimationFrame) while a card is dragged across lanes with the mouse:
 *   alone, while another coordinator moves cards, with remote moves only, and with a vote open.
 * Used by board-ui.bench.ts (the figures of BENCHMARKS.md) and specs/bench-smoke.spec.ts (CI).
 */
import { gzipSync } from 'node:zlib';
import { type Browser, expect, type Page } from '@playwright/test';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { type ActivityId, addActivity, createLane, demoLaneId, demoMunicipalityId, giveDot, type LaneId, moveActivity, openVote, roots } from '@tabla/plan-model';
import type { Figure } from '@tabla/bench';
import { BoardPage } from '../pages/board-page.js';
import type { TestServer } from '../fixtures/server.js';

export interface UiParams {
  readonly activities: number;
  readonly lanes: number;
  /** Remote moves during the drag (5 per second). */
  readonly movesDuringDrag: number;
  /** Remote moves at ~60 per second, no drag. */
  readonly stressMoves: number;
  /** Dots another municipality gives during the vote drag (5 per second). */
  readonly dots: number;
}

export const UI_PARAMS: Record<'full' | 'smoke', UiParams> = {
  full: { activities: 300, lanes: 6, movesDuringDrag: 10, stressMoves: 60, dots: 10 },
  smoke: { activities: 60, lanes: 6, movesDuringDrag: 3, stressMoves: 10, dots: 3 },
};

/** Venue Wi-Fi: 1.6 Mbit/s = 200,000 bytes/s each way, 150 ms round trip. */
const VENUE_WIFI = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 200_000 };
const VIEWPORT = { width: 1440, height: 900 };
const DEMO_LANES = ['A', 'B', 'C', 'D'] as const;
const LANE = {
  A: 'Učešće građana u odlučivanju',
  B: 'Položaj mladih u lokalnoj zajednici',
};

/** A stock provider on `link`'s board for the duration of `run`; the last updates get time to leave. */
async function withClient<T>(baseUrl: string, link: string, run: (doc: Y.Doc) => Promise<T>): Promise<T> {
  const url = new URL(link);
  const boardId = url.pathname.split('/').at(-1)!;
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${baseUrl.replace('http', 'ws')}/sync`, boardId, doc, {
    params: { token: url.searchParams.get('token')! },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
  try {
    return await run(doc);
  } finally {
    await new Promise((r) => setTimeout(r, 500));
    provider.destroy();
    doc.destroy();
  }
}

/** The demo board grown to `activities` activities over `lanes` lanes (two new lanes for six), every card in a lane. */
async function growBoard(baseUrl: string, facilitatorLink: string, params: UiParams): Promise<void> {
  await withClient(baseUrl, facilitatorLink, async (doc) => {
    const lanes: LaneId[] = DEMO_LANES.map((k) => demoLaneId(k));
    for (let i = lanes.length; i < params.lanes; i++) lanes.push(createLane(doc, { title: `Prioritet ${i + 1}: lokalni ekonomski razvoj`, color: '#76b7b2' }));
    const { activities } = roots(doc);
    const unplaced = [...activities.entries()].filter(([, a]) => a.get('laneId') === null).map(([id]) => id as ActivityId);
    unplaced.forEach((id, i) => moveActivity(doc, id, lanes[(lanes.length - 1 - i + lanes.length) % lanes.length]!, 0));
    for (let i = activities.size; i < params.activities; i++) {
      addActivity(doc, { title: `Aktivnost ${i + 1}: razmjena iskustava među općinama`, status: 'planned', timeframe: '2024-Q2', responsible: 'koordinator/ica LDP-a' }, { laneId: lanes[i % lanes.length]! });
    }
  });
}

/**
 * Resolves with the page's clock (ms since its navigation started) at the first animation frame
 * where `activities` cards are in the page and, unless `offline`, the socket is connected and the
 * join dialog takes input.
 */
function interactiveAt(page: Page, activities: number, offline: boolean): Promise<number> {
  return page
    .waitForFunction(
      ({ n, offline }) => {
        const cards = document.querySelectorAll('article').length >= n;
        if (offline) return cards && performance.now();
        const connected = document.querySelector('[role="status"][aria-label="Veza sa serverom"]')?.getAttribute('data-state') === 'connected';
        const input = document.querySelector<HTMLInputElement>('dialog[open] input, [role="dialog"] input');
        return cards && connected && input !== null && !input.disabled && performance.now();
      },
      { n: activities, offline },
      { polling: 'raf', timeout: 60_000 },
    )
    .then((handle) => handle.jsonValue() as Promise<number>);
}

/** Frame intervals (ms) in the page while `during` runs. */
async function frames(page: Page, during: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await during();
  const stamps = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  return stamps.slice(1).map((t, i) => t - stamps[i]!);
}

const p95 = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!.toFixed(1));
};

const frameFigure = (id: string, xs: readonly number[], what: string): Figure => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    id,
    unit: 'ms',
    value: p95(xs),
    detail: `${what}; ${s.length} frames, p50 ${s[Math.floor(s.length / 2)]?.toFixed(1) ?? '-'} ms, max ${s.at(-1)?.toFixed(1) ?? '-'} ms, ${s.filter((x) => x > 50).length} over 50 ms`,
  };
};

/**
 * A drag that must land: frame times of a drag that missed its lane would measure nothing. While
 * others move cards the lanes shift under the pointer, and on a loaded machine a drag may miss:
 * it is tried once more (its frames count too) before the run fails.
 */
async function dragAndCheck(person: BoardPage, card: string, lane: string): Promise<void> {
  const landed = person.lane(lane).getByRole('article', { name: card, exact: true });
  await person.dragCardToLane(card, lane);
  await expect.poll(() => landed.isVisible(), { timeout: 5_000 }).toBe(true).catch(async () => {
    await person.dragCardToLane(card, lane);
    await expect(landed).toBeVisible();
  });
}

export async function measureBoardUi(browser: Browser, server: TestServer, params: UiParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const board = await server.createBoard('demo');
  await growBoard(server.baseUrl, board.links.facilitator, params);
  const figures: Figure[] = [];

  // First visit on venue Wi-Fi, then the second with the network off.
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', VENUE_WIFI);
    const scripts: { url: string; bytes: Uint8Array; encoding: string | null }[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      pending.push(
        response.body().then(
          (body) => void scripts.push({ url: response.url(), bytes: body, encoding: response.headers()['content-encoding'] ?? null }),
          () => undefined,
        ),
      );
    });
    await page.goto(board.links.editor, { waitUntil: 'commit' });
    const firstLoad = await interactiveAt(page, params.activities, false);
    const loadedBefore = new Set(await page.evaluate((at) => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.responseEnd <= at).map((e) => e.name), firstLoad));
    await Promise.all(pending);
    const initial = scripts.filter((s) => loadedBefore.has(s.url));
    const gzip = initial.reduce((n, s) => n + gzipSync(s.bytes).length, 0) / 1024;
    const raw = initial.reduce((n, s) => n + s.bytes.length, 0) / 1024;
    const encodings = [...new Set(initial.map((s) => s.encoding ?? 'none'))].join(', ');
    log(`first load (venue Wi-Fi): ${firstLoad.toFixed(0)} ms; initial JS ${gzip.toFixed(1)} KB gzipped, ${raw.toFixed(1)} KB raw (content-encoding: ${encodings})`);
    figures.push({ id: 'ui.firstLoad', unit: 'ms', value: Math.round(firstLoad), detail: `${params.activities} activities over ${params.lanes} lanes; a new visitor (no cache, no service worker)` });
    figures.push({ id: 'ui.initialJs', unit: 'KB', value: Number(gzip.toFixed(1)), detail: `${initial.length} scripts before interactive: ${raw.toFixed(1)} KB as served (content-encoding: ${encodings})` });

    // Join; then wait until the service worker keeps the app and the device keeps the board.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const dialog = page.getByRole('dialog', { name: 'Dobro došli na tablu' });
    await dialog.getByLabel('Vaše ime ili uloga').fill('koordinatorica LDP-a');
    await dialog.getByLabel('Općina / opština / grad').selectOption({ label: 'Grad Mostar' });
    await dialog.getByRole('button', { name: 'Uđi na tablu' }).click();
    await expect(dialog).toBeHidden();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      for (let i = 0; i < 200 && !(await caches.open('tabla-shell-v1').then((c) => c.match('/index.html'))); i++) await new Promise((r) => setTimeout(r, 50));
    });
    await page.waitForTimeout(1_000); // the board's last IndexedDB write
    await context.setOffline(true);
    await cdp.send('Network.emulateNetworkConditions', { ...VENUE_WIFI, offline: true });
    await page.goto(board.links.editor, { waitUntil: 'commit' });
    const offlineLoad = await interactiveAt(page, params.activities, true);
    const fromWorker = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    log(`second visit, network off: ${offlineLoad.toFixed(0)} ms (service worker ${fromWorker ? 'in control' : 'NOT in control'})`);
    figures.push({ id: 'ui.offlineLoad', unit: 'ms', value: Math.round(offlineLoad), detail: `every card shown; page served by the service worker: ${fromWorker ? 'yes' : 'no'}` });
  } finally {
    await context.close();
  }

  // Drags, on an unthrottled connection.
  const person = await BoardPage.open(browser, board.links.editor, { viewport: VIEWPORT });
  try {
    await person.join('koordinatorica LDP-a', 'Grad Mostar');
    await person.expectConnected();
    const local = await frames(person.page, () => dragAndCheck(person, 'Zajednički model javnih konsultacija', LANE.B));
    figures.push(frameFigure('ui.drag.p95', local, 'a mouse drag of one card to the next lane'));

    // Another coordinator moves a card every `gapMs` (connected before measuring).
    const remoteMoves = (count: number, gapMs: number, during?: () => Promise<void>) =>
      withClient(server.baseUrl, board.links.editor, async (doc) => {
        const ids = [...roots(doc).activities.keys()] as ActivityId[];
        return frames(person.page, async () => {
          const moving = (async () => {
            for (let i = 0; i < count; i++) {
              moveActivity(doc, ids[20 + i]!, demoLaneId(DEMO_LANES[i % 4]!), i % 7);
              await new Promise((r) => setTimeout(r, gapMs));
            }
          })();
          await during?.();
          await moving;
        });
      });
    const whileOthers = await remoteMoves(params.movesDuringDrag, 200, () => dragAndCheck(person, 'Razmjena vijeća mladih', LANE.A));
    figures.push(frameFigure('ui.dragWhileOthersMove.p95', whileOthers, `a drag while another coordinator moves ${params.movesDuringDrag} cards, 5 per second`));
    const stress = await remoteMoves(params.stressMoves, 16);
    figures.push(frameFigure('ui.remoteMoves.p95', stress, `${params.stressMoves} remote moves at ~60 per second, no drag`));
  } finally {
    await person.close();
  }

  // A board-wide dot vote: every card shows Mostar's dots and its buttons while Bugojno votes.
  await withClient(server.baseUrl, board.links.facilitator, async (doc) => void openVote(doc, { laneId: null, dots: 20 }, Date.now()));
  const voter = await BoardPage.open(browser, await server.issueMunicipalityLink(board, 'm_mostar'), { viewport: VIEWPORT });
  try {
    await voter.joinBound('koordinatorica LDP-a', 'Grad Mostar');
    await voter.expectConnected();
    const bugojno = await server.issueMunicipalityLink(board, 'm_bugojno');
    const voting = await withClient(server.baseUrl, bugojno, async (doc) => {
      const [voteId] = [...roots(doc).votes.keys()];
      const placed = [...roots(doc).activities.entries()].filter(([, m]) => m.get('laneId') !== null).map(([id]) => id as ActivityId);
      return frames(voter.page, async () => {
        const dots = (async () => {
          for (let i = 0; i < params.dots; i++) {
            giveDot(doc, voteId!, demoMunicipalityId('bugojno'), placed[i]!, 1);
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
        await dragAndCheck(voter, 'Mapa prostora za mlade', LANE.A);
        await dots;
      });
    });
    figures.push(frameFigure('ui.voteDrag.p95', voting, `a drag while a board-wide vote is open and another municipality gives ${params.dots} dots, 5 per second`));
  } finally {
    await voter.close();
  }
  for (const f of figures.filter((f) => f.id.endsWith('.p95'))) log(`${f.id}: ${f.value} ms (${f.detail})`);
  return {
    figures,
    notes: [
      `Board UI: headless Chromium (Debian's, --disable-gpu) at 1440×900 with our built server, sharing the machine's cores with the server and the test's clients. The board: the demo grown by a facilitator's client to ${params.activities} activities over ${params.lanes} lanes, every card in a lane.`,
      'Board UI first load: a new browser context with Chrome DevTools network emulation (200,000 bytes/s each way, 150 ms latency); interactive = every card in the page, the socket connected (synced) and the join dialog taking input, read at an animation frame on the page\'s clock from navigation start. The second visit: the same context after joining, offline (browser context and emulation), until every card is shown. Initial JS: the scripts the page had loaded when it was interactive, each gzipped here (level 6).',
      'Board UI frames: requestAnimationFrame intervals over each drag (mouse, 20 steps from card to lane, checked to land) or remote burst; p95 of those intervals.',
    ],
  };
}
