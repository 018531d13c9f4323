/** The worker thread of `planPdf` (export.ts): lays out one PDF at a time, off the main thread. */
import { parentPort } from 'node:worker_threads';
import type { BoardView } from '@tabla/plan-model';
import { type PdfOptions, planPdf } from '@tabla/plan-export';

interface Job {
  readonly id: number;
  readonly board: BoardView;
  readonly options: Omit<PdfOptions, 'date'> & { readonly date?: number };
}

parentPort!.on('message', (job: Job) => {
  const { date, ...options } = job.options;
  planPdf(job.board, { ...options, ...(date === undefined ? {} : { date: new Date(date) }) }).then(
    (pdf) => parentPort!.postMessage({ id: job.id, pdf }, [pdf.buffer]),
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: String(err) }),
  );
});
