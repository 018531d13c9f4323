import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardView, LIMITS } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { TextField } from '../ui/TextField.js';

/** "Use this board as the template for the next training": a new board with these municipalities and lanes. */
export function TemplateSettings({ board }: { board: BoardView }) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const create = async () => {
    const name = title.trim();
    if (!name) return setError(t('template.titleRequired'));
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(session.link.boardId)}/duplicate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.link.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ title: name }),
      });
      const body = (await res.json().catch(() => ({}))) as { links?: { facilitator?: string } };
      if (res.status !== 201 || typeof body.links?.facilitator !== 'string') throw new Error(String(res.status));
      setCreated(body.links.facilitator);
    } catch {
      setError(t('template.failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('template.section')}</h3>
      <p>{t('template.explain', { lanes: board.lanes.length, municipalities: board.municipalities.length })}</p>
      <TextField label={t('template.title')} name="templateTitle" value={title} max={LIMITS.title} error={error ?? undefined} onChange={setTitle} className="setup__field" />
      <button type="button" onClick={() => void create()} disabled={busy}>
        {t('template.create')}
      </button>
      {created && (
        <p role="status">
          {t('template.created')}{' '}
          <a href={created} target="_blank" rel="noreferrer">
            {t('template.openNew')}
          </a>
        </p>
      )}
    </section>
  );
}
