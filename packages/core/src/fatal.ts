/** The longest line of an error message printed to a user: tfjs errors can carry whole lines of bundled source. */
const MAX_LINE = 400;

/**
 * One error as a user sees it: `teacache: <message>`, each line cut to a readable length; the stack only
 * when TEACACHE_DEBUG is set. Never prints source text (Node does for uncaught errors in minified code).
 */
export function describeFatal(err: unknown, debug = Boolean(process.env.TEACACHE_DEBUG)): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}… (${l.length - MAX_LINE} more characters)` : l));
  const text = `teacache: ${lines.join('\n')}\n`;
  return debug && err instanceof Error && err.stack ? `${text}${err.stack}\n` : text;
}

/** Print an error as `describeFatal` does and exit with code 1 (synchronously, so nothing else is printed). */
export function exitWithError(err: unknown): never {
  process.stderr.write(describeFatal(err));
  process.exit(1);
}

/**
 * Route uncaught errors and unhandled rejections through `exitWithError`, so no failure dumps bundled
 * source or a raw stack; call once at the start of every entry point (the CLI, sweep workers).
 */
export function installFatalHandlers(): void {
  process.on('uncaughtException', exitWithError);
  process.on('unhandledRejection', exitWithError);
  // A reader that stops early (`teacache models | head -3`) closes the pipe: stop quietly, with the status a shell
  // gives a program ended by SIGPIPE (128 + 13), instead of printing "write EPIPE".
  process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? process.exit(141) : exitWithError(err)));
}
