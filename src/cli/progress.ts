/** A progress bar on standard error (standard output stays clean for results). */
import cliProgress from 'cli-progress';

export function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  const interactive = Boolean(process.stderr.isTTY);
  let lastPrinted = -1;
  return {
    update(done, total) {
      if (total === 0) return;
      if (interactive) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        }
        bar.update(done);
        return;
      }
      // Without a terminal (CI, pipes), a line every 10% keeps logs readable.
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastPrinted) {
        lastPrinted = tenth;
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
