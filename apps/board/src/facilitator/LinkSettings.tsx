/**
 * Links: one per role, and one coordinator link per municipality. A new link (the old one stops working, its sessions are disconnected) or none
 * (revoke). Both ask first, in place: what happens to the people using the link, and to this
 * facilitator when it is their own link.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import { formatDateTime } from '../ui/date-format.js';
import { copyText, type IssuedLinks, type LinkFailure, type LinkTarget, listMunicipalityLinks, revokeLink, rotateLink } from './links-api.js';
import { kitKey, recordLinkChanges, subscribeLinkChanges } from './room-kit.js';

type Outcome =
  | { readonly kind: 'link'; readonly link: string }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'error'; readonly reason: LinkFailure; readonly status?: number | undefined };

type Action = 'rotate' | 'revoke';

export function LinkSettings() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('setup.linksSection')}</h3>
      <p className="setup__hint">{t('setup.linksIntro')}</p>
      <ul className="setup__list">
        {ROLES.map((role) => (
          <RoleLink key={role} target={role} label={t(`role.${role}`)} hint={t(`setup.linkRole.${role}`)} />
        ))}
      </ul>
      <MunicipalityLinks />
    </section>
  );
}

/**
 * One coordinator link per municipality, bound to it by the server: what that coordinator adds,
 * joins and votes is attributed to the municipality, and cannot be said in another's name.
 */
function MunicipalityLinks() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const id = useId();
  const [issued, setIssued] = useState<IssuedLinks | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void listMunicipalityLinks({ boardId: session.link.boardId, token: session.link.token }).then((r) => {
      if (!cancelled && r.ok) setIssued(r.value);
    });
    return () => {
      cancelled = true;
    };
  }, [session, version]);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  // Links issued by the room kit too.
  useEffect(() => subscribeLinkChanges(refresh), [refresh]);
  const date = { format: (ms: number) => formatDateTime(i18n.language, ms) };
  return (
    <>
      <h4 id={`${id}-h`} className="setup__subheading">
        {t('setup.municipalityLinks')}
      </h4>
      <p className="setup__hint">{t('setup.municipalityLinksIntro')}</p>
      <ul className="setup__list" aria-labelledby={`${id}-h`}>
        {board.municipalities.map((m) => {
          const at = issued?.get(m.id);
          const status = issued === null ? undefined : at === undefined ? t('setup.noLinkYet') : t('setup.linkIssued', { date: date.format(at) });
          return (
            <RoleLink
              key={m.id}
              target={{ municipalityId: m.id }}
              label={`${t('role.editor')} – ${m.name}`}
              hint={status}
              onChanged={refresh}
            />
          );
        })}
      </ul>
    </>
  );
}

interface RoleLinkProps {
  readonly target: LinkTarget;
  readonly label: string;
  readonly hint?: string | undefined;
  /** How the warnings name the link's holders (default: the label). */
  readonly roleName?: string;
  /** After a link was issued or revoked. */
  readonly onChanged?: () => void;
}

function RoleLink({ target, label, hint, roleName = label, onChanged }: RoleLinkProps) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const [asking, setAsking] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const linkInput = useRef<HTMLInputElement>(null);
  const triggers = { rotate: useRef<HTMLButtonElement>(null), revoke: useRef<HTMLButtonElement>(null) };
  /** Where focus goes once the outcome is shown: the confirmation (and its focused button) is gone. */
  const focusNext = useRef<'link' | Action | null>(null);
  const own = target === 'facilitator';

  useEffect(() => {
    const next = focusNext.current;
    if (!next || busy) return;
    focusNext.current = null;
    (next === 'link' ? linkInput.current : triggers[next].current)?.focus();
  });

  const cancel = () => {
    const action = asking;
    setAsking(null);
    if (action) triggers[action].current?.focus();
  };

  const run = async (action: Action) => {
    setBusy(true);
    setCopied(null);
    let outcomeIsLink = false;
    const auth = { boardId: session.link.boardId, token: session.link.token };
    if (action === 'rotate') {
      const result = await rotateLink(auth, target);
      if (result.ok && own) {
        // The server has just disconnected this session too: carry on at the new link.
        window.location.assign(result.value);
        return;
      }
      setOutcome(result.ok ? { kind: 'link', link: result.value } : { kind: 'error', reason: result.reason, status: result.status });
      outcomeIsLink = result.ok;
      // Known on this device for the room kit's cards; the wall's link kept working.
      if (result.ok && target !== 'facilitator') recordLinkChanges(session.doc, auth.boardId, new Map([[kitKey(target), result.value]]));
    } else {
      const result = await revokeLink(auth, target);
      setOutcome(result.ok ? { kind: 'revoked' } : { kind: 'error', reason: result.reason, status: result.status });
      if (result.ok && target !== 'facilitator') recordLinkChanges(session.doc, auth.boardId, new Map([[kitKey(target), null]]));
    }
    onChanged?.();
    focusNext.current = outcomeIsLink ? 'link' : action;
    setBusy(false);
    setAsking(null);
  };

  const copy = async () => {
    if (outcome?.kind !== 'link') return;
    setCopied(await copyText(outcome.link, linkInput.current));
  };

  const warning =
    asking === 'rotate'
      ? own
        ? t('setup.rotateWarningOwn')
        : t('setup.rotateWarning', { role: roleName })
      : own
        ? t('setup.revokeWarningOwn')
        : t('setup.revokeWarning', { role: roleName });

  return (
    <li className="setup__item">
      <fieldset className="setup__fieldset setup__fieldset--link" aria-busy={busy || undefined}>
        <legend className="setup__legend">{label}</legend>
        {hint && <p className="setup__hint">{hint}</p>}
        <div className="setup__buttons">
          <button type="button" ref={triggers.rotate} disabled={busy} aria-expanded={asking === 'rotate'} onClick={() => setAsking('rotate')}>
            {t('setup.rotate')}
          </button>
          <button type="button" ref={triggers.revoke} className="danger" disabled={busy} aria-expanded={asking === 'revoke'} onClick={() => setAsking('revoke')}>
            {t('setup.revoke')}
          </button>
        </div>
        {asking && (
          <div className="setup__confirm" role="group" aria-labelledby={`${id}-warning`}>
            <p id={`${id}-warning`} className="setup__warning">
              {warning}
            </p>
            <div className="setup__buttons">
              <button type="button" className="danger" autoFocus disabled={busy} onClick={() => void run(asking)}>
                {asking === 'rotate' ? t('setup.confirmRotate') : t('setup.confirmRevoke')}
              </button>
              <button type="button" disabled={busy} onClick={cancel}>
                {t('setup.cancel')}
              </button>
            </div>
          </div>
        )}
        {busy && (
          <p className="setup__hint" role="status">
            {t('setup.working')}
          </p>
        )}
        {outcome?.kind === 'link' && (
          <div className="setup__link">
            <label htmlFor={`${id}-link`}>{t('setup.newLink', { role: roleName })}</label>
            <div className="setup__row">
              <input id={`${id}-link`} ref={linkInput} className="setup__link-input" readOnly value={outcome.link} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" onClick={() => void copy()}>
                {t('setup.copy')}
              </button>
            </div>
            <p className="setup__hint" role="status">
              {copied === true ? t('setup.copied') : copied === false ? t('setup.copyFailed') : t('setup.rotated')}
            </p>
          </div>
        )}
        {outcome?.kind === 'revoked' && (
          <p className="setup__hint" role="status">
            {t('setup.revoked', { role: roleName })}
          </p>
        )}
        {outcome?.kind === 'error' && (
          <p className="form-error" role="alert">
            {outcome.reason === 'unauthorized'
              ? t('setup.linkUnauthorized')
              : outcome.reason === 'offline'
                ? t('setup.linkOffline')
                : t('setup.linkFailed', { status: outcome.status ?? '—' })}
          </p>
        )}
      </fieldset>
    </li>
  );
}
