import { defineConfig } from 'vite';

// During `npm run dev`, API calls go to a running `fathom serve` (FATHOM_URL) so the
// page sees the same origin layout it gets when the server embeds the build.
const target = process.env.FATHOM_URL || 'http://127.0.0.1:8080';

export default defineConfig({
  // Relative asset URLs: the page works wherever the server mounts it.
  base: './',
  // The server embeds exactly index.html and assets/; nothing else may appear.
  publicDir: false,
  server: {
    proxy: { '/v1': target, '/props': target },
  },
  build: {
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    // Only evergreen browsers load this page; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
  },
});
