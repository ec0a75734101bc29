// Builds the page into dist/: the static files as they are, and src/main.ts bundled with the
// Firebase SDK (from node_modules, no CDN) into dist/app.js. `boiler dev` serves dist/.
import { build } from "esbuild";
import { cp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
process.chdir(here);

await rm("dist", { recursive: true, force: true });
await cp("static", "dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  legalComments: "external",
  logLevel: "warning",
});
console.log("built web/dist (index.html, style.css, app.js)");
