/**
 * "Šta se promijenilo od zadnjeg sastanka": the plan's changes since a saved version (the newest by
 * default; any other can be chosen), grouped by municipality (`diffBoards`), and the progress
 * notes written since that version was saved (PM30). For the facilitator to show the room.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as Y from 'yjs';
import { type Activity, type BoardDiff, type BoardView, diffBoards, type ProgressNote, readBoard } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { formatDate } from '../ui/date-format.js';
import { fetchSnapshot, listVersions, type VersionInfo, type VersionResult } from '../versions/versions-api.js';

export interface SinceApi {
  list(): Promise<VersionResult<VersionInfo[]>>;
  snapshot(versionId: string): Promise<VersionResult<Uint8Array>>;
}

interface Since {
  readonly version: VersionInfo;
  readonly diff: BoardDiff;
  readonly notes: readonly { readonly activity: Activity; readonly note: ProgressNote }[];
}

/** Progress notes written after `since` (ms), oldest first. */
export function notesSince(board: BoardView, since: number): { activity: Activity; note: ProgressNote }[] {
  const out: { activity: Activity; note: ProgressNote }[] = [];
  for (const activity of board.activityById.values()) for (const note of activity.progress ?? []) if (note.at > since) out.push({ activity, note });
  return out.sort((a, b) => a.note.at - b.note.at || (a.note.id < b.note.id ? -1 : 1));
}

export function SinceMeeting({ board, api }: { board: BoardView; api?: SinceApi }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const id = useId();
  const calls: SinceApi = api ?? { list: () => listVersions(session.link), snapshot: (versionId) => fetchSnapshot(session.link, versionId) };
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [since, setSince] = useState<Since | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const show = async (version: VersionInfo) => {
    const snapshot = await calls.snapshot(version.id);
    if (!snapshot.ok) return setProblem(t('since.unavailable'));
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, snapshot.value);
      setSince({ version, diff: diffBoards(readBoard(doc), board), notes: notesSince(board, version.createdAt) });
      setProblem(null);
    } catch {
      setProblem(t('since.unavailable'));
    } finally {
      doc.destroy();
    }
  };

  const load = async () => {
    const listed = versions ? { ok: true as const, value: versions } : await calls.list();
    if (!listed.ok) return setProblem(t('since.unavailable'));
    const sorted = [...listed.value].sort((a, b) => b.createdAt - a.createdAt);
    setVersions(sorted);
    if (sorted.length === 0) return setProblem(t('since.none'));
    await show(since?.version ?? sorted[0]!);
  };

  const title = (activityId: string, fallback: string) => board.activityById.get(activityId as never)?.title ?? fallback;

  return (
    <section className="setup__section since" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('since.heading')}</h3>
      {versions && versions.length > 0 && (
        <label className="field">
          <span>{t('since.version')}</span>
          <select
            value={since?.version.id ?? ''}
            onChange={(e) => {
              const chosen = versions.find((v) => v.id === e.target.value);
              if (chosen) void show(chosen);
            }}
          >
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} ({formatDate(i18n.language, v.createdAt)})
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" onClick={() => void load()}>
        {t('since.show')}
      </button>
      {problem && <p className="setup__state">{problem}</p>}
      {since && (
        <div className="since__result">
          <p className="setup__state">{since.diff.count === 0 ? t('since.noChanges') : t('since.changes', { count: since.diff.count })}</p>
          {since.diff.municipalities.map((group) => (
            <div key={group.municipalityId ?? ''}>
              <h4>{group.municipalityId === null ? t('since.unattributed') : group.name}</h4>
              <ul>
                {group.changes.map((change, i) => (
                  <li key={`${change.activityId}-${change.kind}-${i}`}>
                    {t(`since.kind.${change.kind}`)}: {change.title}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <p className="setup__state">{t('since.notes', { count: since.notes.length })}</p>
          <ul>
            {since.notes.map(({ activity, note }) => (
              <li key={note.id}>
                {formatDate(i18n.language, note.at)} · {title(activity.id, activity.title)}
                {note.percent !== undefined && ` · ${t('progress.percentValue', { percent: note.percent })}`}: {note.text}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
