import { describe, expect, it } from 'vitest';
import { asMunicipalityId, LIMITS, type Municipality } from '@tabla/plan-model';
import { checkBoardTitle, checkColor, checkLaneTitle, checkMunicipalityName, PALETTE, unusedColor } from './validation.js';

const m = (id: string, name: string): Municipality => ({ id: asMunicipalityId(id), name, color: '#123456' });

describe('facilitator input checks', () => {
  it('a title of spaces is empty; a title over the limit is too long', () => {
    expect(checkBoardTitle('')).toBe('required');
    expect(checkBoardTitle('   ')).toBe('required');
    expect(checkBoardTitle('  MLDP plan ')).toBeNull();
    expect(checkLaneTitle('x'.repeat(LIMITS.title))).toBeNull();
    expect(checkLaneTitle('x'.repeat(LIMITS.title + 1))).toBe('tooLong');
  });

  it('colours are #rrggbb', () => {
    expect(checkColor('#1d4e89')).toBeNull();
    expect(checkColor('#1D4E89')).toBeNull();
    for (const bad of ['', '1d4e89', '#1d4e8', '#1d4e89ff', 'red', '#ggg000', 'rgb(0,0,0)']) expect(checkColor(bad), bad).toBe('color');
  });

  it('a municipality name must be its own (both Trnovos are fine), except for itself', () => {
    const list = [m('m_t1', 'Općina Trnovo'), m('m_t2', 'Opština Trnovo')];
    expect(checkMunicipalityName('Općina Trnovo', list)).toBe('taken');
    expect(checkMunicipalityName('  općina   trnovo ', list)).toBe('taken');
    expect(checkMunicipalityName('Općina Trnovo', list, asMunicipalityId('m_t1'))).toBeNull(); // saving itself
    expect(checkMunicipalityName('Grad Trnovo', list)).toBeNull();
    expect(checkMunicipalityName(' ', list)).toBe('required');
    expect(checkMunicipalityName('x'.repeat(LIMITS.name + 1), list)).toBe('tooLong');
  });

  it('suggests a colour nobody uses yet', () => {
    expect(unusedColor([])).toBe(PALETTE[0]);
    expect(unusedColor([PALETTE[0].toUpperCase(), undefined, PALETTE[1]])).toBe(PALETTE[2]);
    expect(unusedColor(PALETTE)).toBe(PALETTE[0]);
  });
});
