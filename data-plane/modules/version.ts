/** The platform's version, reported by buildinfo and `cortexctl status`. */
export const VERSION = '0.1.0';
