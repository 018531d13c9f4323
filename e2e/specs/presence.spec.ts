import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_B = 'Položaj mladih u lokalnoj zajednici';

test('others see who edits or drags a card and where it is going; presence leaves with the person', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const amra = await BoardPage.open(browser, board.links.editor);
  const boris = await BoardPage.open(browser, board.links.editor);
  await amra.join('Amra, koordinatorica', 'Grad Mostar');
  await boris.join('Boris, koordinator', 'Općina Trnovo');
  await expect(boris.onlineNow()).toContainText('Amra, koordinatorica');

  // Editing: Boris sees it on the card while Amra's dialog is open, and not after.
  await amra.openEditor('Razmjena vijeća mladih');
  await expect(boris.card('Razmjena vijeća mladih')).toContainText('Amra, koordinatorica uređuje');
  await amra.page.getByRole('button', { name: 'Odustani' }).click();
  await expect(boris.card('Razmjena vijeća mladih')).not.toContainText('uređuje');

  // Dragging: while Amra holds a card over lane B, Boris sees where it is going.
  const card = amra.card('Volonterska akcija osnovaca');
  await card.scrollIntoViewIfNeeded();
  const from = (await card.boundingBox())!;
  const to = (await amra.lane(LANE_B).boundingBox())!;
  await amra.page.mouse.move(from.x + from.width / 2, from.y + 10);
  await amra.page.mouse.down();
  await amra.page.mouse.move(from.x + from.width / 2 + 12, from.y + 22, { steps: 3 });
  await amra.page.mouse.move(to.x + to.width / 2, Math.min(to.y + to.height / 2, 600), { steps: 15 });
  await expect(boris.lane(LANE_B)).toContainText('Amra, koordinatorica premješta „Volonterska akcija osnovaca" ovdje');
  await expect(boris.card('Volonterska akcija osnovaca')).toContainText('Amra, koordinatorica premješta');
  await amra.page.mouse.up();
  await expect(boris.lane(LANE_B).getByRole('article', { name: 'Volonterska akcija osnovaca' })).toBeVisible();
  await expect(boris.lane(LANE_B)).not.toContainText('ovdje');

  // Leaving: Amra closes her laptop; she is gone from "online now".
  await amra.close();
  await expect(boris.onlineNow()).not.toContainText('Amra, koordinatorica');
  await boris.close();
});
