// A progress bar on stderr for long work, redrawn when the percentage changes; only on a terminal.
export interface ProgressBar {
  readonly update: (done: number, total: number) => void;
  readonly end: () => void;
}

function drawingBar(stream: NodeJS.WriteStream, unit: string): ProgressBar {
  let shown = -1;
  return {
    update(done, total) {
      const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
      if (percent === shown) return;
      shown = percent;
      const filled = Math.round(percent * 0.3);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${percent}% ${done}/${total} ${unit}`,
      );
    },
    end() {
      if (shown >= 0) stream.write('\r\x1b[K');
    },
  };
}

/** A bar when stderr is a terminal and the output is for people; undefined otherwise (pipes, --json). */
export function progressBarFor(
  unit: string,
  options: { json?: boolean } = {},
): ProgressBar | undefined {
  return process.stderr.isTTY && options.json !== true
    ? drawingBar(process.stderr, unit)
    : undefined;
}
