import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * The app imports the SDK from ../sdk. Its address-book file helpers (sdk/deployments.ts) use Node's file system,
 * which the app never calls: in the browser those imports resolve to a module whose functions throw.
 */
const nodeOnly = fileURLToPath(new URL("src/node-only.ts", import.meta.url));
const browserShims: Plugin = {
  name: "cascade-node-only",
  enforce: "pre",
  resolveId(id, _importer, options) {
    if (options?.ssr) return null;
    return /^node:(fs\/promises|path)$/.test(id) ? nodeOnly : null;
  },
};

export default defineConfig({
  plugins: [react(), browserShims],
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2_000 },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "jsdom",
          include: ["src/**/*.test.{ts,tsx}"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          environment: "node",
          include: ["e2e/**/*.e2e.ts"],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
