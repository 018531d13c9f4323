/**
 * Role links: a new link (the old one stops working, its sessions are disconnected) or none
 * (revoke). Both ask first, in place: what happens to the people using the link, and to this
 * facilitator when it is their own link.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Role, ROLES } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { copyText, type LinkFailure, revokeLink, rotateLink } from './links-api.js';

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
          <RoleLink key={role} role={role} />
        ))}
      </ul>
    </section>
  );
}

function RoleLink({ role }: { role: Role }) {
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
  const own = role === 'facilitator';

  useEffect(() => {
    const next = focusNext.current;
    if (!next || busy) return;
    focusNext.current = null;
    (next === 'link' ? linkInput.current : triggers[next].current)?.focus();
  });
  const roleName = t(`role.${role}`);

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
      const result = await rotateLink(auth, role);
      if (result.ok && own) {
        // The server has just disconnected this session too: carry on at the new link.
        window.location.assign(result.value);
        return;
      }
      setOutcome(result.ok ? { kind: 'link', link: result.value } : { kind: 'error', reason: result.reason, status: result.status });
      outcomeIsLink = result.ok;
    } else {
      const result = await revokeLink(auth, role);
      setOutcome(result.ok ? { kind: 'revoked' } : { kind: 'error', reason: result.reason, status: result.status });
    }
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
        <legend className="setup__legend">{roleName}</legend>
        <p className="setup__hint">{t(`setup.linkRole.${role}`)}</p>
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
