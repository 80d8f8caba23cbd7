// @ts-check
/**
 * wixsync's Astro integration: keeps a Wix CLI app's backend event extensions in step with its
 * `wix-events.yaml` inside `astro build` and `astro dev` (and so inside `wix build` and `wix dev`,
 * which run them).
 *
 *     // astro.config.mjs
 *     import wixsync from 'wixsync/astro';
 *     export default defineConfig({ integrations: [wixsync(), wix()] });
 *
 * It is a thin adapter: in `astro:config:setup` it runs the wixsync binary with `--format json`
 * (the document described in the repository's FORMAT.md) and renders the result with Astro's
 * integration logger. It never edits files itself, never passes `--force`, and does nothing for
 * `astro preview` and `astro sync`.
 *
 * - `astro build`: `onBuild: 'check'` (the default) fails the build with an `AstroError` when
 *   `src/` has drifted from the manifest or wixsync reports an error; `onBuild: 'apply'` applies
 *   first and logs one line per change.
 * - `astro dev`: `onDev: 'apply'` (the default) applies at start, and `addWatchFile` on the
 *   manifest makes each save restart the dev server, which runs this hook again. Nothing in dev
 *   throws: an Astro dev server whose restart fails stays down, so a broken manifest is logged
 *   and the server goes on with `src/` as it is.
 *
 * `wixsync()` must come before `wix()`: Astro runs `astro:config:setup` in array order, and
 * `@wix/astro` loads `src/extensions.ts` in its own.
 */

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AstroError } from 'astro/errors';
import { binaryPath } from './binary.js';

/** The integration's name: the label of its log lines. */
const NAME = 'wixsync';
/** The name of the integration `wix()` from `@wix/astro` puts first in the array it returns. */
const WIX_NAME = '@wix/astro';
/** The manifest's file name at the app root (DESIGN.md). */
const MANIFEST = 'wix-events.yaml';
/** A wixsync run that takes longer than this is stopped and reported (it takes milliseconds). */
const RUN_TIMEOUT_MS = 120_000;
/** The `format_version` of FORMAT.md this integration reads. */
const FORMAT_VERSION = '1';

const ON_BUILD = ['check', 'apply'];
const ON_DEV = ['apply', 'check', 'off'];
const OPTION_NAMES = ['onBuild', 'onDev', 'manifest', 'strict'];

/**
 * @typedef {import('./astro.d.ts').WixsyncOptions} WixsyncOptions
 * @typedef {import('astro').AstroIntegration} AstroIntegration
 * @typedef {import('astro').AstroIntegrationLogger} Logger
 *
 * The `--format json` document, as far as this integration reads it (FORMAT.md).
 * @typedef {{ kind: string, folder: string | null, event: string | null, summary: string,
 *   reason: string, files: string[], manifest_line: number | null }} Step
 * @typedef {{ code: string, severity: 'error' | 'warning', message: string, help: string | null,
 *   file: string | null, line: number | null, column: number | null }} Diagnostic
 * @typedef {{ path: string, manifest: string,
 *   status: 'in_sync' | 'pending' | 'applied' | 'conflict' | 'error',
 *   steps: Step[], diagnostics: Diagnostic[] }} AppReport
 * @typedef {{ format_version: string, exit_code: number, apps: AppReport[] }} Report
 *
 * What one reconciliation came to.
 * @typedef {{ kind: 'in_sync', app: AppReport, warnings: Diagnostic[] }
 *   | { kind: 'pending', app: AppReport, warnings: Diagnostic[] }
 *   | { kind: 'applied', app: AppReport, warnings: Diagnostic[] }
 *   | { kind: 'blocked', app: AppReport, why: 'error' | 'conflict' | 'strict' }
 *   | { kind: 'failed', problem: string, hint: string }} Outcome
 */

/**
 * The Astro integration. Put it before `wix()`: `integrations: [wixsync(), wix()]`.
 *
 * @param {WixsyncOptions} [options] see `astro.d.ts` for each option and its default.
 * @returns {AstroIntegration}
 * @throws {AstroError} when an option is unknown or has a value it cannot take.
 */
export default function wixsync(options = {}) {
  const settings = resolveOptions(options);
  return {
    name: NAME,
    hooks: {
      'astro:config:setup': async ({ config, command, isRestart, addWatchFile, logger }) => {
        if (command !== 'build' && command !== 'dev') return;
        warnAboutOrder(config.integrations, logger);
        const root = fileURLToPath(config.root);
        const manifest = path.resolve(root, settings.manifest ?? MANIFEST);
        const run = { root, manifest, explicitManifest: settings.manifest !== undefined, strict: settings.strict };
        if (command === 'build') {
          await onBuild(settings.onBuild, run, logger);
        } else if (settings.onDev !== 'off') {
          // Watched first: a manifest that is broken now restarts the server once it is fixed.
          addWatchFile(manifest);
          await onDev(settings.onDev, isRestart, run, logger);
        }
      },
    },
  };
}

/**
 * Checks the options and fills in the defaults.
 *
 * @param {WixsyncOptions} options
 * @returns {{ onBuild: 'check' | 'apply', onDev: 'apply' | 'check' | 'off', manifest: string | undefined, strict: boolean }}
 */
function resolveOptions(options) {
  const hint = "The options are onBuild ('check' or 'apply'), onDev ('apply', 'check' or 'off'), manifest (a path) and strict (a boolean); see wixsync's README.";
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new AstroError(`wixsync() takes an options object, not ${describe(options)}.`, hint);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new AstroError(`wixsync(): unknown option \`${key}\`.`, hint);
  }
  const { onBuild = 'check', onDev = 'apply', manifest, strict = false } = options;
  if (!ON_BUILD.includes(onBuild)) {
    throw new AstroError(`wixsync(): onBuild must be 'check' or 'apply', not ${describe(onBuild)}.`, hint);
  }
  if (!ON_DEV.includes(onDev)) {
    throw new AstroError(`wixsync(): onDev must be 'apply', 'check' or 'off', not ${describe(onDev)}.`, hint);
  }
  if (manifest !== undefined && typeof manifest !== 'string' && !(manifest instanceof URL)) {
    throw new AstroError(`wixsync(): manifest must be a path (a string or a file: URL), not ${describe(manifest)}.`, hint);
  }
  if (typeof strict !== 'boolean') {
    throw new AstroError(`wixsync(): strict must be true or false, not ${describe(strict)}.`, hint);
  }
  return {
    onBuild: /** @type {'check' | 'apply'} */ (onBuild),
    onDev: /** @type {'apply' | 'check' | 'off'} */ (onDev),
    manifest: manifest instanceof URL ? fileURLToPath(manifest) : manifest,
    strict,
  };
}

/** @param {unknown} value */
function describe(value) {
  return typeof value === 'string' ? `'${value}'` : Array.isArray(value) ? 'an array' : String(value);
}

/**
 * Warns when `wixsync()` comes after `wix()`, or `wix()` is missing.
 *
 * @param {{ name: string }[]} integrations the resolved (flattened) integrations, in order.
 * @param {Logger} logger
 */
function warnAboutOrder(integrations, logger) {
  const names = integrations.map((integration) => integration.name);
  const self = names.indexOf(NAME);
  const wix = names.indexOf(WIX_NAME);
  if (wix === -1) {
    logger.warn(
      'wix() from @wix/astro is not in the integrations of astro.config.mjs: wixsync keeps the event extensions ' +
        'in step with the manifest, but without wix() nothing builds them. Use integrations: [wixsync(), wix()].',
    );
  } else if (wix < self) {
    logger.warn(
      'wixsync() comes after wix() in astro.config.mjs: @wix/astro loads src/extensions.ts before wixsync runs, ' +
        'so what wixsync applies reaches the app only on the next run. Put it first: integrations: [wixsync(), wix()].',
    );
  }
}

/**
 * `astro build`: check (or apply), and throw to fail the build.
 *
 * @param {'check' | 'apply'} mode
 * @param {Run} run
 * @param {Logger} logger
 * @throws {AstroError} on drift (in check mode), an error, a conflict, or a warning with `strict`.
 */
async function onBuild(mode, run, logger) {
  const outcome = await reconcileApp(mode, run);
  switch (outcome.kind) {
    case 'in_sync':
      logWarnings(outcome.warnings, logger);
      logger.info(`src/ matches ${outcome.app.manifest}: nothing to apply.`);
      return;
    case 'applied':
      logWarnings(outcome.warnings, logger);
      for (const step of outcome.app.steps) logger.info(step.summary);
      return;
    case 'pending': {
      const { app } = outcome;
      logWarnings(outcome.warnings, logger);
      throw new AstroError(
        `src/ has drifted from ${app.manifest}: ${plural(app.steps.length, 'change')} pending:\n${stepLines(app)}`,
        'Run `npx wixsync apply` to make these changes (`npx wixsync plan` shows the diff first) and commit them, ' +
          "or set wixsync({ onBuild: 'apply' }) in astro.config.mjs to apply them on every build.",
      );
    }
    case 'blocked':
      throw new AstroError(blockedMessage(outcome.app, outcome.why), blockedHint(outcome.app, outcome.why));
    case 'failed':
      throw new AstroError(outcome.problem, outcome.hint);
  }
}

/**
 * `astro dev`: apply (or check) and log; never throws.
 *
 * @param {'check' | 'apply'} mode
 * @param {boolean} isRestart
 * @param {Run} run
 * @param {Logger} logger
 */
async function onDev(mode, isRestart, run, logger) {
  const outcome = await reconcileApp(mode, run);
  const keptRunning = `The dev server goes on with src/ as it is; save ${path.relative(run.root, run.manifest) || MANIFEST} again to retry.`;
  switch (outcome.kind) {
    case 'in_sync':
      logWarnings(outcome.warnings, logger);
      // A restart for another reason (astro.config.mjs saved) need not say it again.
      if (!isRestart) logger.info(`src/ matches ${outcome.app.manifest}: nothing to apply.`);
      return;
    case 'applied':
      logWarnings(outcome.warnings, logger);
      for (const step of outcome.app.steps) logger.info(step.summary);
      return;
    case 'pending':
      logWarnings(outcome.warnings, logger);
      logger.warn(
        `src/ has drifted from ${outcome.app.manifest}: ${plural(outcome.app.steps.length, 'change')} pending:\n${stepLines(outcome.app)}\n` +
          "Run `npx wixsync apply`, or set wixsync({ onDev: 'apply' }) to apply on every start and save.",
      );
      return;
    case 'blocked':
      logger.error(
        `${blockedMessage(outcome.app, outcome.why)}\n${blockedHint(outcome.app, outcome.why)}\n${keptRunning}`,
      );
      return;
    case 'failed':
      logger.error(`${outcome.problem}\n${outcome.hint}\n${keptRunning}`);
  }
}

/**
 * @typedef {{ root: string, manifest: string, explicitManifest: boolean, strict: boolean }} Run
 */

/**
 * Runs `wixsync apply --check`, then, in apply mode with changes pending and nothing in the way,
 * `wixsync apply`. Checking first keeps `strict` from writing anything when a warning fails it.
 *
 * @param {'check' | 'apply'} mode
 * @param {Run} run
 * @returns {Promise<Outcome>}
 */
async function reconcileApp(mode, run) {
  const checked = await runWixsync(['apply', '--check'], run);
  if (!('app' in checked)) return checked;
  const verdict = judge(checked.app, run.strict);
  if (verdict.kind !== 'pending' || mode === 'check') return verdict;
  const applied = await runWixsync(['apply'], run);
  if (!('app' in applied)) return applied;
  return judge(applied.app, run.strict);
}

/**
 * What an app report comes to.
 *
 * @param {AppReport} app
 * @param {boolean} strict
 * @returns {Outcome}
 */
function judge(app, strict) {
  const warnings = app.diagnostics.filter((d) => d.severity !== 'error');
  if (app.status === 'error' || app.status === 'conflict') return { kind: 'blocked', app, why: app.status };
  if (strict && warnings.length > 0) return { kind: 'blocked', app, why: 'strict' };
  if (app.status === 'in_sync') return { kind: 'in_sync', app, warnings };
  if (app.status === 'applied') return { kind: 'applied', app, warnings };
  return { kind: 'pending', app, warnings };
}

/**
 * Runs the binary with `--format json` in the app root and reads its one app report.
 *
 * @param {string[]} command `['apply', '--check']` or `['apply']`
 * @param {Run} run
 * @returns {Promise<{ app: AppReport } | Extract<Outcome, { kind: 'failed' }>>}
 */
async function runWixsync(command, run) {
  let binary;
  try {
    binary = binaryPath();
  } catch (error) {
    return {
      kind: 'failed',
      problem: `wixsync cannot run: ${error instanceof Error ? error.message : String(error)}`,
      hint: 'Reinstall it with `npm install --save-dev wixsync` (without --no-optional), or set WIXSYNC_BINARY to a wixsync binary.',
    };
  }
  const args = [...command, '.', '--format', 'json'];
  if (run.explicitManifest) args.push('--manifest', path.relative(run.root, run.manifest) || run.manifest);
  const shown = `wixsync ${args.join(' ')}`;
  const { error, stdout, stderr } = await execute(binary, args, run.root);
  const code = error == null ? 0 : error.code;
  const said = stderr.trim() === '' ? '' : `\n${stderr.trim()}`;
  if (error != null && typeof code !== 'number') {
    const why = error.killed ? `it did not finish within ${RUN_TIMEOUT_MS / 1000} s and was stopped` : error.message;
    return {
      kind: 'failed',
      problem: `\`${shown}\` could not run ${binary}: ${why}${said}`,
      hint: 'Check that WIXSYNC_BINARY (if set) names a wixsync binary, or reinstall wixsync with `npm install --save-dev wixsync`.',
    };
  }
  /** @type {Report | undefined} */
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  const app = report?.apps?.[0];
  if (report == null || report.format_version !== FORMAT_VERSION || app == null) {
    return {
      kind: 'failed',
      problem: `\`${shown}\` (exit ${code}) printed no wixsync report of format_version ${FORMAT_VERSION}.${said}`,
      hint: 'The wixsync binary and the wixsync npm package must be the same release: reinstall wixsync (and unset WIXSYNC_BINARY if it names another build).',
    };
  }
  // Shown as the user would type them: `./wix-events.yaml` as `wix-events.yaml`.
  app.manifest = path.normalize(app.manifest);
  for (const d of app.diagnostics) if (d.file != null) d.file = path.normalize(d.file);
  return { app };
}

/**
 * `execFile` as a promise that always resolves.
 *
 * @param {string} file
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ error: (Error & { code?: number | string, killed?: boolean }) | null, stdout: string, stderr: string }>}
 */
function execute(file, args, cwd) {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: RUN_TIMEOUT_MS, windowsHide: true, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ error, stdout, stderr }),
    );
  });
}

/**
 * The first line of a failure: why nothing was done.
 *
 * @param {AppReport} app
 * @param {'error' | 'conflict' | 'strict'} why
 */
function blockedMessage(app, why) {
  const errors = app.diagnostics.filter((d) => d.severity === 'error');
  const shown = why === 'strict' ? app.diagnostics : errors.length > 0 ? errors : app.diagnostics;
  const head =
    why === 'conflict'
      ? `wixsync will not apply ${app.manifest}: ${plural(errors.length, 'conflict')} stop it:`
      : why === 'strict'
        ? `wixsync found ${plural(shown.length, 'warning')}, and strict: true makes them fail:`
        : `wixsync cannot reconcile ${app.manifest} with src/:`;
  return `${head}\n${shown.map((d) => `  ${diagnosticLine(d)}`).join('\n')}`;
}

/**
 * How to get past a failure.
 *
 * @param {AppReport} app
 * @param {'error' | 'conflict' | 'strict'} why
 */
function blockedHint(app, why) {
  switch (why) {
    case 'conflict':
      return (
        'Resolve each conflict as its help line says, then run `npx wixsync apply` (`npx wixsync plan` shows them in full). ' +
        'The Astro integration never forces: where a conflict only protects work git cannot restore, `npx wixsync apply --force` goes ahead on your word.'
      );
    case 'strict':
      return `Fix the warnings at the places shown (\`npx wixsync plan\` shows them with their code), or set wixsync({ strict: false }).`;
    default:
      return `Fix ${app.manifest} (or the file named) at the places shown; \`npx wixsync plan\` shows each problem with its code frame.`;
  }
}

/** @param {Diagnostic} d `file:line:col: severity: message`, and its help on a second line. */
function diagnosticLine(d) {
  const where = [d.file, d.line, d.column].filter((part) => part != null).join(':');
  const help = d.help ? `\n    help: ${d.help}` : '';
  return `${where ? `${where}: ` : ''}${d.severity}: ${d.message}${help}`;
}

/** @param {Diagnostic[]} warnings @param {Logger} logger */
function logWarnings(warnings, logger) {
  for (const warning of warnings) logger.warn(diagnosticLine(warning));
}

/** @param {AppReport} app one line per step, with the manifest line that causes it. */
function stepLines(app) {
  return app.steps
    .map((step) => `  - ${step.summary}${step.manifest_line != null ? `  (${app.manifest}:${step.manifest_line})` : ''}`)
    .join('\n');
}

/** @param {number} n @param {string} noun */
function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
