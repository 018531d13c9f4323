import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addActivity, demoLaneId, readBoard, seedDemoBoard } from '@tabla/plan-model';
import { csvCell, planCsv } from './export.js';

describe('planCsv', () => {
  it('writes the plan in the columns of an action plan, lanes in order then the pool, in Bosnian', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    addActivity(doc, { title: 'Budžetirana aktivnost', budget: 1234.5, status: 'postponed', timeframe: '2024-Q3' }, { laneId: demoLaneId('B') });
    const csv = planCsv(readBoard(doc));
    expect(csv.startsWith('\uFEFF"Rb.";"Oblast";"Aktivnost";"Opis";"Nosilac";"Partneri";"Rok / kvartal"')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(1 + 16);
    expect(lines[1]).toContain('"1";"Učešće građana u odlučivanju";"Zajednički model javnih konsultacija";"";"Općina Novo Sarajevo";"Opština Istočno Novo Sarajevo, Općina Trnovo";"I kv. 2023."');
    expect(lines[1]).toContain('"U toku"');
    expect(csv).toContain('"Budžetirana aktivnost";"";"";"";"III kv. 2024.";"";"1.234,50";"";"";"Odgođeno"');
    expect(lines.at(-1)).toContain('"Neraspoređene aktivnosti"');
  });

  it('keeps quotes and formula-looking text as text (no CSV injection)', () => {
    expect(csvCell('Forum „Dva Trnova"')).toBe('"Forum „Dva Trnova"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t']) expect(csvCell(`${start}1`).startsWith(`"'`)).toBe(true);
    expect(csvCell('Obična aktivnost')).toBe('"Obična aktivnost"');
  });
});
