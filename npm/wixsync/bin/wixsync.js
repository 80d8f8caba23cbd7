#!/usr/bin/env node
// @ts-check
// The `wixsync` command of the npm package: runs the platform binary that `binaryPath()` finds
// with this process's arguments and stdio, and exits with its exit code (a signal that ended it
// becomes 128 + its number, as a shell reports it). Everything else lives in the binary.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { binaryPath } from '../binary.js';

/** @type {string} */
let binary;
try {
  binary = binaryPath();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
if (result.error) {
  console.error(`wixsync: could not run ${binary}: ${result.error.message}`);
  process.exit(1);
}
if (result.signal) {
  const number = constants.signals[/** @type {NodeJS.Signals} */ (result.signal)] ?? 0;
  process.exit(128 + number);
}
process.exit(result.status ?? 1);
