// esbuild `inject` for the fast start (bundle-cli-fast.ts): every free `Headers` in the bundle
// becomes LiteHeaders, so connect-es never touches the global that loads undici.
export { LiteHeaders as Headers } from '../cli/client/lite-headers.js';
