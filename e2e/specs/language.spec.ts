import { BoardPage } from '../pages/board-page.js';
import { expect, test } from '../fixtures/test.js';

const LANE_D = 'Održivost LDP-a i međuopštinska saradnja';

test('a user in Republika Srpska switches the board to Serbian in Cyrillic, remembered after a reload', async ({ browser, server }) => {
  const board = await server.createBoard('demo');
  const a = await BoardPage.open(browser, board.links.viewer);
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'bs');
  await a.join('posmatrač', 'Opština Trnovo');
  await a.expectConnected();

  await a.page.getByRole('combobox', { name: /Jezik|Language|Језик/ }).selectOption({ label: 'Српски' });
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'sr-Cyrl-BA');
  const unplaced = a.page.getByRole('region', { name: 'Нераспоређене активности', exact: true });
  await expect(unplaced).toContainText('2 активности');
  // Lane titles and municipality names are the board's data: they stay as written.
  await expect(a.lane(LANE_D)).toContainText('1 активност');
  await expect(a.card('Zajednički model javnih konsultacija')).toContainText('I кв. 2023.');
  await expect(a.card('Zajednički model javnih konsultacija')).toContainText('У току');
  await expect(a.card('Dijalog sa mladima')).toContainText('IV кв. 2022.');
  await expect(a.card('Dijalog sa mladima')).toContainText('Завршено');
  await expect(a.page.getByRole('status', { name: 'Веза са сервером' })).toHaveText('Повезано');
  await expect(a.page.getByRole('region', { name: /Тренутно онлајн/ })).toBeVisible();
  await expect(a.page.getByRole('combobox', { name: 'Језик' })).toHaveValue('sr-Cyrl-BA');

  await a.page.reload();
  await expect(a.page.locator('html')).toHaveAttribute('lang', 'sr-Cyrl-BA');
  await expect(a.page.getByRole('region', { name: 'Нераспоређене активности', exact: true })).toContainText('2 активности');
  await expect(a.page.getByRole('status', { name: 'Веза са сервером' })).toHaveText('Повезано');
  await expect(a.card('Konstituirajući sastanak MLDP-a')).toContainText('I кв. 2023.');
  expect(a.errors).toEqual([]);
  await a.close();
});
