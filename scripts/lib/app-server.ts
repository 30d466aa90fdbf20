/**
 * Serves the app (app/, Vite) with its chain configuration at `/cascade.json`: the dev server for `npm run app` and
 * the browser tests, or with `build: true` the production build (built into app/dist first) as a static site.
 */
import { fileURLToPath } from "node:url";

import { build, createServer, preview, type Plugin } from "vite";

import type { AppConfig, AppConfigFile } from "../../app/src/config.js";

const APP = fileURLToPath(new URL("../../app/", import.meta.url));

/** The configuration as JSON: bigints as decimal strings. */
export function configJson(config: AppConfigFile): string {
  return JSON.stringify(config, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

function serveConfig(config: AppConfig): Plugin {
  const body = configJson(config);
  const handle = (
    req: { url?: string },
    res: { setHeader(k: string, v: string): void; end(b: string): void },
    next: () => void,
  ) => {
    if (req.url?.split("?")[0] !== "/cascade.json") return next();
    res.setHeader("content-type", "application/json");
    res.end(body);
  };
  return {
    name: "cascade-config",
    configureServer: (server) => void server.middlewares.use(handle),
    configurePreviewServer: (server) => void server.middlewares.use(handle),
  };
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the app's server on `port` (0: any free port) at 127.0.0.1. */
export async function startAppServer(
  config: AppConfig,
  o: { port?: number; build?: boolean } = {},
): Promise<AppServer> {
  const common = {
    root: APP,
    configFile: fileURLToPath(new URL("vite.config.ts", `file://${APP}`)),
    plugins: [serveConfig(config)],
    logLevel: "warn" as const,
  };
  if (o.build) {
    await build({ root: APP, configFile: common.configFile, logLevel: "warn" });
    const server = await preview({
      ...common,
      preview: { port: o.port ?? 0, host: "127.0.0.1", strictPort: false },
    });
    const url = server.resolvedUrls?.local[0] ?? "";
    return { url, close: () => server.close() };
  }
  const server = await createServer({
    ...common,
    server: { port: o.port ?? 0, host: "127.0.0.1", strictPort: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? "";
  return { url, close: () => server.close() };
}
