import type { AstroIntegration } from 'astro';

/**
 * Options of the wixsync Astro integration. Every option is optional.
 *
 * ```js
 * // astro.config.mjs
 * import { defineConfig } from 'astro/config';
 * import wix from '@wix/astro';
 * import wixsync from 'wixsync/astro';
 *
 * export default defineConfig({
 *   integrations: [wixsync(), wix()],
 * });
 * ```
 */
export interface WixsyncOptions {
  /**
   * What `astro build` (and `wix build`) does with the manifest:
   * - `'check'`: fail the build when `src/` has drifted from the manifest, or when wixsync
   *   reports an error or a conflict, listing the pending changes or the problems with
   *   `file:line:column`; write nothing;
   * - `'apply'`: make `src/` match the manifest first (logging one line per change), then build.
   *   Errors and conflicts still fail the build, and nothing is written then.
   *
   * @default 'check'
   */
  onBuild?: 'check' | 'apply';
  /**
   * What `astro dev` (and `wix dev`) does with the manifest, at start and each time the
   * manifest is saved (the integration watches it, so saving restarts the dev server):
   * - `'apply'`: make `src/` match it;
   * - `'check'`: only warn about pending changes;
   * - `'off'`: nothing, and the manifest is not watched.
   *
   * A broken manifest or a conflict is logged with its location, and the dev server keeps
   * running with `src/` as it is.
   *
   * @default 'apply'
   */
  onDev?: 'apply' | 'check' | 'off';
  /**
   * The manifest: a path relative to the Astro project root (or absolute, or a `file:` URL),
   * passed to wixsync as `--manifest`.
   *
   * @default 'wix-events.yaml' (at the project root)
   */
  manifest?: string | URL;
  /**
   * Treat wixsync's warnings (for example an event the catalog does not know) as errors: they
   * fail `astro build`, and in `astro dev` they stop `apply` and are logged as errors.
   *
   * @default false
   */
  strict?: boolean;
}

/**
 * The wixsync Astro integration: runs wixsync (`wixsync apply --check` / `wixsync apply`, with
 * `--format json`) in `astro:config:setup` of `astro build` and `astro dev`, so that the app is
 * never built or developed out of step with its `wix-events.yaml`. Place it before `wix()`:
 * Astro runs integrations in order, and `@wix/astro` loads `src/extensions.ts` in its own setup.
 * It never passes `--force`, and does nothing for `astro preview` and `astro sync`.
 *
 * @param options see {@link WixsyncOptions}; each has a default.
 * @throws {import('astro/errors').AstroError} when an option is unknown or has a value it cannot take.
 */
export default function wixsync(options?: WixsyncOptions): AstroIntegration;
