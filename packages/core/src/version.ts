/** The toolkit's version, recorded in every file it writes. */
export const TOOLKIT_VERSION = '0.1.0';
