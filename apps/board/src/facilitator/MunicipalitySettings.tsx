/** Municipalities (općine, opštine, gradovi): name, colour, kind; add new ones. */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  addMunicipality,
  type BoardView,
  editMunicipality,
  isMunicipalityKind,
  LIMITS,
  type Municipality,
  type MunicipalityFields,
  type MunicipalityKind,
  MUNICIPALITY_KINDS,
} from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { TextField } from '../ui/TextField.js';
import type { Announce } from './announce.js';
import { checkColor, checkMunicipalityName, COLOR_EXAMPLE, COLOR_FORMAT, unusedColor } from './validation.js';

interface Problems {
  name?: string;
  color?: string;
}

function useMunicipalityCheck(board: BoardView) {
  const { t } = useTranslation();
  return (name: string, color: string, self?: Municipality): Problems => {
    const out: Problems = {};
    const problem = checkMunicipalityName(name, board.municipalities, self?.id);
    if (problem === 'required') out.name = t('setup.nameRequired');
    else if (problem === 'tooLong') out.name = t('setup.tooLong', { max: LIMITS.name });
    else if (problem === 'taken') out.name = t('setup.nameTaken', { name: name.trim() });
    if (checkColor(color)) out.color = t('setup.colorInvalid', { format: COLOR_FORMAT, example: COLOR_EXAMPLE });
    return out;
  };
}

/** The kind select: '' = not said (the board then writes "općina"). */
function KindField({ value, onChange }: { value: MunicipalityKind | ''; onChange: (kind: MunicipalityKind | '') => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="field setup__field setup__field--kind">
      <label htmlFor={id}>{t('setup.kind')}</label>
      <select id={id} name="kind" value={value} onChange={(e) => onChange(isMunicipalityKind(e.target.value) ? e.target.value : '')}>
        <option value="">{t('setup.kindNone')}</option>
        {MUNICIPALITY_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`setup.kinds.${k}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function MunicipalitySettings({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('setup.municipalitiesSection')}</h3>
      <ul className="setup__list">
        {board.municipalities.map((m) => (
          <MunicipalityRow key={m.id} municipality={m} board={board} announce={announce} />
        ))}
      </ul>
      <AddMunicipality board={board} announce={announce} />
    </section>
  );
}

function MunicipalityRow({ municipality: m, board, announce }: { municipality: Municipality; board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const check = useMunicipalityCheck(board);
  const [name, setName] = useState<string | null>(null);
  const [color, setColor] = useState<string | null>(null);
  const [kind, setKind] = useState<MunicipalityKind | '' | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const shown = { name: name ?? m.name, color: color ?? m.color, kind: kind ?? m.kind ?? '' };
  const dirty = (name !== null && name.trim() !== m.name) || (color !== null && color !== m.color) || (kind !== null && kind !== (m.kind ?? ''));

  const save = (e: FormEvent) => {
    e.preventDefault();
    const found = check(shown.name, shown.color, m);
    setProblems(found);
    if (found.name || found.color) return;
    const fields: MunicipalityFields = {};
    if (shown.name.trim() !== m.name) fields.name = shown.name.trim();
    if (shown.color.trim() !== m.color) fields.color = shown.color.trim();
    if (kind !== null && kind !== (m.kind ?? '')) fields.kind = kind === '' ? undefined : kind;
    if (Object.keys(fields).length > 0) editMunicipality(session.doc, m.id, fields);
    setName(null);
    setColor(null);
    setKind(null);
    announce(t('setup.savedName', { name: fields.name ?? m.name }));
  };

  return (
    <li className="setup__item">
      <form onSubmit={save} noValidate>
        <fieldset className="setup__fieldset">
          <legend className="visually-hidden">{m.name}</legend>
          <TextField label={t('setup.municipalityName')} name="name" value={shown.name} max={LIMITS.name} error={problems.name} onChange={setName} className="setup__field setup__field--grow" />
          <TextField label={t('setup.color')} name="color" type="color" value={shown.color} error={problems.color} onChange={setColor} className="setup__field setup__field--color" />
          <KindField value={shown.kind} onChange={setKind} />
          <div className="setup__buttons">
            <button type="submit" className={dirty ? 'setup__save setup__save--dirty' : 'setup__save'}>
              {t('setup.save')}
            </button>
          </div>
        </fieldset>
      </form>
    </li>
  );
}

function AddMunicipality({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const check = useMunicipalityCheck(board);
  const id = useId();
  const [name, setName] = useState('');
  const [color, setColor] = useState<string | null>(null);
  const [kind, setKind] = useState<MunicipalityKind | ''>('opcina');
  const [problems, setProblems] = useState<Problems>({});
  const shownColor = color ?? unusedColor(board.municipalities.map((m) => m.color));

  const add = (e: FormEvent) => {
    e.preventDefault();
    const found = check(name, shownColor);
    setProblems(found);
    if (found.name || found.color) return;
    addMunicipality(session.doc, { name: name.trim(), color: shownColor.trim(), ...(kind ? { kind } : {}) });
    announce(t('setup.municipalityAdded', { name: name.trim() }));
    setName('');
    setColor(null);
  };

  return (
    <form className="setup__add" onSubmit={add} noValidate aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`} className="setup__subheading">
        {t('setup.newMunicipality')}
      </h4>
      <div className="setup__row">
        <TextField label={t('setup.newMunicipalityName')} name="newName" value={name} max={LIMITS.name} error={problems.name} onChange={setName} className="setup__field setup__field--grow" />
        <TextField label={t('setup.color')} name="newColor" type="color" value={shownColor} error={problems.color} onChange={setColor} className="setup__field setup__field--color" />
        <KindField value={kind} onChange={setKind} />
        <button type="submit" className="setup__save">
          {t('setup.addMunicipality')}
        </button>
      </div>
    </form>
  );
}
