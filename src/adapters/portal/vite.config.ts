import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./app', import.meta.url));
const outDir = fileURLToPath(new URL('../../../dist/portal', import.meta.url));

/** The portal build: one small entry chunk, every page lazy (Fluent is large). */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // During `vite` development the API is the running Sendwarden (SENDWARDEN_API, default :8080).
    proxy: {
      '/api': process.env.SENDWARDEN_API ?? 'http://127.0.0.1:8080',
      '/openapi.json': process.env.SENDWARDEN_API ?? 'http://127.0.0.1:8080',
    },
  },
});
