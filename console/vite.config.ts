/**
 * The web console's build: `npm run build` writes it to dist/console/, which `cortexctl server`
 * serves at /console (cli/server/console.ts). Everything is bundled; nothing loads from a CDN.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `vite dev` beside a running `cortexctl server --dev`: the API calls go to it.
  server: { proxy: { '/cortex.admin.v1.AdminService': 'http://127.0.0.1:9009' } },
});
