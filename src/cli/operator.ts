import { createInterface } from 'node:readline/promises';
import type { Operator } from '../capture/record.js';
import { K4sError } from '../errors.js';

const SWITCH_GENERATOR = {
  off: 'Switch the sync generator OFF (its sync output), then confirm.',
  on: 'Switch the sync generator ON now, then confirm.',
};

/** The crew at the terminal: prompts wait for Enter; --yes answers them for scripted use. */
export function terminalOperator(yes: boolean): Operator {
  const confirm = async (message: string) => {
    if (yes) {
      process.stderr.write(`${message} [--yes]\n`);
      return;
    }
    requireTerminal(`"${message}"`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      await rl.question(`${message} [Enter] `);
    } finally {
      rl.close();
    }
  };
  return {
    switchGenerator: (on) => confirm(on ? SWITCH_GENERATOR.on : SWITCH_GENERATOR.off),
    say(message: string) {
      process.stderr.write(`${message}\n`);
    },
  };
}

/** Throws K4S_NO_TERMINAL when the operator would have to be asked `what` and no terminal can ask. */
export function requireTerminal(what: string): void {
  if (!process.stdin.isTTY) throw new K4sError('K4S_NO_TERMINAL', `record needs to ask the operator ${what}, and there is no terminal to ask in.`);
}
