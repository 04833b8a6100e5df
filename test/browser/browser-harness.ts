/**
 * Shared pieces of the browser suite: where Chromium is, how it is launched on a machine without
 * network, and the English catalogue's keys (a raw key on screen is a missing translation).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const artifacts = path.join(repoRoot, 'test/artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine has no network: without these Chromium keeps trying to reach Google's services.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Every key of the English catalogue, flattened ("unblock.submit"). */
export function englishKeys(): string[] {
  const flat: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') flat.push(prefix + k);
      else walk(v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  walk(
    JSON.parse(readFileSync(path.join(repoRoot, 'src/adapters/portal/app/i18n/en.json'), 'utf8')) as Record<
      string,
      unknown
    >,
    '',
  );
  return flat;
}
