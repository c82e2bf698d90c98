import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { APP_CSP } from './security.ts';

// Tauri serves the built files from its own origin root, so the default
// base ('/') is right. The dev server port must match devUrl in tauri.conf.json.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  preview: {
    port: 4173,
    strictPort: true,
    host: '127.0.0.1',
    headers: { 'Content-Security-Policy': APP_CSP },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tauri's WebViews: WebView2 (Chromium), WKWebView (Safari 13+), WebKitGTK.
    target: ['es2022', 'chrome111', 'safari16'],
    sourcemap: false,
  },
});
