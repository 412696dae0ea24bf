import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into the server package's dist/, which `learnpulse serve` serves at `/`.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
