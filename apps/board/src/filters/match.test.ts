import { describe, expect, it } from 'vitest';
import type { Activity, ActivityId, LaneId, MunicipalityId, Status } from '@tabla/plan-model';
import { type ActivityFilter, EMPTY_FILTER, isFilterActive, laneFlags, matchesFilter, matchingIds, normalizeText, sameFlags } from './match.js';

const M = (id: string) => id as MunicipalityId;

function activity(id: string, fields: Partial<Omit<Activity, 'id'>> = {}): Activity {
  return { id: id as ActivityId, title: id, laneId: 'l_A' as LaneId, rank: 'a', partners: [], status: 'planned', ...fields };
}

const filter = (f: Partial<ActivityFilter>): ActivityFilter => ({ ...EMPTY_FILTER, ...f });

const forum = activity('forum', {
  title: 'Forum građana „Dva Trnova"',
  description: 'Zajednička sjednica foruma obje općine',
  leadId: M('m_trnovoF'),
  partners: [M('m_trnovoRS')],
});
const katalog = activity('katalog', {
  title: 'Katalog usluga u regiji',
  notes: 'Pitati Centar za socijalni rad Sarajevo',
  leadId: M('m_istocnoSarajevo'),
  partners: [M('m_novoSarajevo'), M('m_trnovoF')],
  status: 'in_progress' as Status,
});
const bare = activity('bare', { title: 'Bez nosioca' });
const all = [forum, katalog, bare];

describe('normalizeText', () => {
  it('ignores case and accents: č, ć -> c, š -> s, ž -> z; đ is written dj', () => {
    expect(normalizeText('Sarajevo')).toBe('sarajevo');
    expect(normalizeText('Čačak ćevap ŠIŽE')).toBe('cacak cevap size');
    expect(normalizeText('Građana Đurđevdan')).toBe('gradjana djurdjevdan');
    expect(normalizeText('  Dva \n\t Trnova  ')).toBe('dva trnova');
  });

  it('writes Serbian Cyrillic in Latin', () => {
    expect(normalizeText('Опština Трново')).toBe('opstina trnovo');
    expect(normalizeText('Љубушки, Њиве, Џеп, Ђаково, Ћуприја')).toBe('ljubuski, njive, dzep, djakovo, cuprija');
  });
});

describe('matching', () => {
  it('without criteria everything matches and no filter is active', () => {
    expect(isFilterActive(EMPTY_FILTER)).toBe(false);
    expect(isFilterActive(filter({ text: '   ' }))).toBe(false);
    expect(isFilterActive(filter({ onlyMatches: true }))).toBe(false);
    expect(matchingIds(all, EMPTY_FILTER)).toBeNull();
    for (const a of all) expect(matchesFilter(a, EMPTY_FILTER)).toBe(true);
  });

  it('text: title, description and notes, case- and diacritic-insensitive', () => {
    expect([...matchingIds(all, filter({ text: 'trnov' }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ text: 'TRNOV' }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ text: 'sarajevo' }))!]).toEqual(['katalog']); // notes
    expect([...matchingIds(all, filter({ text: 'zajednicka sjednica' }))!]).toEqual(['forum']); // description, č
    expect([...matchingIds(all, filter({ text: 'opcine' }))!]).toEqual(['forum']); // ć
    expect([...matchingIds(all, filter({ text: 'građana' }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ text: 'gradjana' }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ text: 'трнова' }))!]).toEqual(['forum']); // Cyrillic query, Latin text
    expect([...matchingIds(all, filter({ text: '„dva' }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ text: 'nepostojece' }))!]).toEqual([]);
  });

  it('text does not match across two fields', () => {
    const a = activity('x', { title: 'Dijalog', description: 'mladi' });
    expect(matchesFilter(a, filter({ text: 'dijalog mladi' }))).toBe(false);
    expect(matchesFilter(a, filter({ text: 'dijalog' }))).toBe(true);
  });

  it('municipality: lead or partner', () => {
    expect([...matchingIds(all, filter({ municipalityId: M('m_trnovoF') }))!]).toEqual(['forum', 'katalog']);
    expect([...matchingIds(all, filter({ municipalityId: M('m_trnovoRS') }))!]).toEqual(['forum']);
    expect([...matchingIds(all, filter({ municipalityId: M('m_istocnoSarajevo') }))!]).toEqual(['katalog']);
    expect([...matchingIds(all, filter({ municipalityId: M('m_mostar') }))!]).toEqual([]);
  });

  it('status, and all criteria together', () => {
    expect([...matchingIds(all, filter({ status: 'planned' }))!]).toEqual(['forum', 'bare']);
    expect([...matchingIds(all, filter({ status: 'in_progress', municipalityId: M('m_trnovoF') }))!]).toEqual(['katalog']);
    expect([...matchingIds(all, filter({ status: 'planned', municipalityId: M('m_trnovoF'), text: 'katalog' }))!]).toEqual([]);
  });

  it('sees an edited activity (a new object) with its new text', () => {
    expect(matchesFilter(forum, filter({ text: 'kamp' }))).toBe(false);
    expect(matchesFilter({ ...forum, title: 'Ljetni kamp' }, filter({ text: 'kamp' }))).toBe(true);
  });
});

describe('lane flags', () => {
  it('are aligned with the lane, null without a filter, and compared element-wise', () => {
    const ids = matchingIds(all, filter({ text: 'trnov' }));
    const flags = laneFlags(all, ids);
    expect(flags).toEqual([true, false, false]);
    expect(laneFlags(all, null)).toBeNull();
    expect(sameFlags(flags, laneFlags(all, matchingIds(all, filter({ text: 'trnova' }))))).toBe(true);
    expect(sameFlags(flags, [true, false])).toBe(false);
    expect(sameFlags(flags, [false, false, false])).toBe(false);
    expect(sameFlags(null, null)).toBe(true);
    expect(sameFlags(null, [])).toBe(false);
  });
});
