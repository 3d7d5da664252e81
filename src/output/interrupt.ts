/**
 * Ctrl-C and SIGTERM for commands that write files or run ffmpeg: one line, every registered clean-up (stop child
 * processes, remove temporary files and folders), exit 130. `record` does not use this: it finalizes its files
 * instead (a take is never thrown away).
 */

const cleanups = new Set<() => void>();
let installed: string | null = null;

/** Runs `fn` if the command is interrupted; the returned function unregisters it (call it when the work is done). */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function interrupted(signal: NodeJS.Signals): void {
  process.stderr.write(`\nk4sync: K4S_INTERRUPTED: ${installed ?? 'the command'} was stopped (${signal}); partial outputs were removed. Run it again to finish.\n`);
  // Newest first: a child process is stopped before the folder it writes into is removed.
  for (const fn of [...cleanups].reverse()) {
    try {
      fn();
    } catch {
      // A clean-up that fails must not keep the others from running.
    }
  }
  process.exit(130);
}

/** Installed once by bin/ for the command that runs; `what` names it in the one line printed. */
export function installInterruptHandler(what: string): void {
  if (installed !== null) return;
  installed = what;
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
}
