import { createInterface } from 'node:readline/promises';
import type { Operator } from '../capture/record.js';

/** The crew at the terminal: prompts wait for Enter; --yes answers them for scripted use. */
export function terminalOperator(yes: boolean): Operator {
  return {
    async confirm(message: string) {
      if (yes) {
        process.stderr.write(`${message} [--yes]\n`);
        return;
      }
      if (!process.stdin.isTTY) throw new Error(`${message} — no terminal to ask in: pass --yes to answer prompts in scripts.`);
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        await rl.question(`${message} [Enter] `);
      } finally {
        rl.close();
      }
    },
    say(message: string) {
      process.stderr.write(`${message}\n`);
    },
  };
}
