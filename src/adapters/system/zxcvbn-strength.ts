import { createRequire } from 'node:module';
import type * as Core from '@zxcvbn-ts/core';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type * as Common from '@zxcvbn-ts/language-common';
import type * as En from '@zxcvbn-ts/language-en';
import type * as Fr from '@zxcvbn-ts/language-fr';
import type { PasswordStrength } from '../../ports/password-hasher.js';

// The dictionaries are megabytes of JavaScript: they load at the first check (synchronously, as the
// port is synchronous; the packages ship CommonJS), so a CLI command that checks no password never loads them.
const require = createRequire(import.meta.url);

function buildFactory(): ZxcvbnFactory {
  const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof Core;
  const common = require('@zxcvbn-ts/language-common') as typeof Common;
  const en = require('@zxcvbn-ts/language-en') as typeof En;
  const fr = require('@zxcvbn-ts/language-fr') as typeof Fr;
  return new Factory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary, ...fr.dictionary },
  });
}

/** zxcvbn-ts with the common, English and French dictionaries (built once, at the first check, ~0.1 s). */
export class ZxcvbnStrength implements PasswordStrength {
  #factory: ZxcvbnFactory | undefined;

  check(password: string, userInputs: readonly string[]): { score: 0 | 1 | 2 | 3 | 4; warning: string | null } {
    this.#factory ??= buildFactory();
    const result = this.#factory.check(password.slice(0, 128), [...userInputs]);
    return { score: result.score as 0 | 1 | 2 | 3 | 4, warning: result.feedback.warning ?? null };
  }
}
