import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import * as fr from '@zxcvbn-ts/language-fr';
import type { PasswordStrength } from '../../ports/password-hasher.js';

/** zxcvbn-ts with the common, English and French dictionaries (built once, ~0.1 s). */
export class ZxcvbnStrength implements PasswordStrength {
  readonly #factory: ZxcvbnFactory;

  constructor() {
    this.#factory = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary, ...fr.dictionary },
    });
  }

  check(password: string, userInputs: readonly string[]): { score: 0 | 1 | 2 | 3 | 4; warning: string | null } {
    const result = this.#factory.check(password.slice(0, 128), [...userInputs]);
    return { score: result.score as 0 | 1 | 2 | 3 | 4, warning: result.feedback.warning ?? null };
  }
}
