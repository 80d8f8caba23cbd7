/** The platform packages, by `<platform>-<arch>[-<libc>]` (`linux-x64-gnu`, `darwin-arm64`). */
export const PLATFORM_PACKAGES: Readonly<Record<string, string>>;

/** Whether this Linux process runs on musl libc; `false` on other operating systems. */
export function isMusl(): boolean;

/**
 * The keys of {@link PLATFORM_PACKAGES} to try here, best first; empty when wixsync has no
 * build for this platform.
 */
export function platformKeys(platform?: string, arch?: string, musl?: boolean): string[];

/**
 * The absolute path of the wixsync binary: `WIXSYNC_BINARY` when set, else the binary of the
 * installed platform package.
 *
 * @throws {Error} when `WIXSYNC_BINARY` names no file, or no platform package is installed;
 *   the message names the package to install.
 */
export function binaryPath(): string;
