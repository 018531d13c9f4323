/**
 * The plan's exports. The table, its languages and the three writers (CSV, XLSX, PDF) live in
 * `@tabla/plan-export`; this module is the server's seam over them (tests count renderings
 * through it), and it keeps the PDF's synchronous layout off the event loop.
 */
import { Worker } from 'node:worker_threads';
import type { BoardView } from '@tabla/plan-model';
import { type ExportOptions, planCsv as writeCsv, planPdf as writePdf, type PdfOptions, planXlsx as writeXlsx } from '@tabla/plan-export';

export { csvCell, KM_FORMAT, PDF_CONTENT_TYPE, sheetName, XLSX_CONTENT_TYPE } from '@tabla/plan-export';

/** The plan as CSV text (Bosnian headers, as before). */
export const planCsv = (board: BoardView, options?: ExportOptions): string => writeCsv(board, options);

/** The plan as an XLSX workbook. */
export const planXlsx = (board: BoardView, options?: ExportOptions): Promise<Uint8Array<ArrayBuffer>> => writeXlsx(board, options);

interface PdfJob {
  readonly resolve: (pdf: Uint8Array<ArrayBuffer>) => void;
  readonly reject: (err: Error) => void;
}

/**
 * One worker thread that lays out PDFs, started on the first request: the layout of 200
 * activities takes ~0.5 s of CPU (~1.5 s the first time, with the fonts), which on the main
 * thread would stall every board's sync for that long. Requests queue in the worker; a crashed
 * worker fails what it held and is started again on the next request.
 */
class PdfWorker {
  #worker: Worker | null = null;
  #next = 0;
  readonly #jobs = new Map<number, PdfJob>();

  render(board: BoardView, options: PdfOptions): Promise<Uint8Array<ArrayBuffer>> {
    const worker = this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      if (this.#jobs.size === 1) worker.ref();
      // A BoardView is plain data (objects, arrays, Maps): structured clone carries it.
      worker.postMessage({ id, board, options: { ...options, date: options.date?.getTime() } });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./pdf-worker.js', import.meta.url));
    worker.unref(); // an idle worker never keeps the process alive
    worker.on('message', (m: { id: number; pdf?: Uint8Array<ArrayBuffer>; error?: string }) => {
      const job = this.#jobs.get(m.id);
      this.#jobs.delete(m.id);
      if (this.#jobs.size === 0) worker.unref();
      if (!job) return;
      if (m.pdf) job.resolve(m.pdf);
      else job.reject(new Error(m.error ?? 'PDF rendering failed'));
    });
    const fail = (err: Error) => {
      this.#worker = null;
      for (const job of this.#jobs.values()) job.reject(err);
      this.#jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`PDF worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

const pdfWorker = new PdfWorker();

/**
 * The plan as the official PDF document. From the compiled server it is rendered in the worker
 * thread; from the TypeScript sources (unit tests, where no compiled worker exists) in process.
 */
export const planPdf = (board: BoardView, options: PdfOptions): Promise<Uint8Array<ArrayBuffer>> =>
  import.meta.url.endsWith('.ts') ? writePdf(board, options) : pdfWorker.render(board, options);
