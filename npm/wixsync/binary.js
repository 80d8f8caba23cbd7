// STAND-IN for the `npm` branch's binary.js, which replaces this file at the merge: it only
// honours WIXSYNC_BINARY, so that the Astro integration (astro.js) can be tested before the
// launcher package exists.

/**
 * The absolute path of the wixsync binary to run: `WIXSYNC_BINARY`.
 *
 * @returns {string}
 * @throws {Error} when `WIXSYNC_BINARY` is not set.
 */
export function binaryPath() {
  const path = process.env.WIXSYNC_BINARY;
  if (!path) {
    throw new Error('WIXSYNC_BINARY is not set: set it to the path of a wixsync binary (this binary.js is a stand-in).');
  }
  return path;
}
