import { cleanup, render, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { LinkProblem } from './LinkProblem.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
afterEach(() => cleanup());

const show = (refusal: SessionState['refusal'], pending = 0) =>
  render(
    <I18nextProvider i18n={i18n}>
      <LinkProblem refusal={refusal} pending={pending} />
    </I18nextProvider>,
  );

describe('a link that does not work', () => {
  it('unknown to the server: says what may have happened and whom to ask, under a heading (never a bare "Greška")', () => {
    show('unknown');
    const alert = screen.getByRole('alert', { name: 'Ovaj link ne radi' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ovaj link ne radi');
    expect(alert.textContent).toContain('zamijenio/la novim ili povukao/la, ili link nije cijel');
    expect(alert.textContent).toContain('Zatražite novi link od facilitatora/ice ove table.');
    expect(alert.textContent).not.toContain('Greška');
  });

  it('withdrawn while the board was open: says so', () => {
    show('revoked', 2);
    const alert = screen.getByRole('alert', { name: 'Ovaj link više ne radi' });
    expect(alert.textContent).toContain('Facilitator/ica je upravo povukao/la ovaj link ili ga zamijenio/la novim.');
    expect(alert.textContent).toContain('Zatražite novi link');
    expect(alert.textContent).toContain('2 izmjene s ovog uređaja nisu stigle do table.');
  });
});
