/** `pnpm --filter @claude-pool/db build` runs this after tsc: dist/pglite-template.tar.gz (+ .json). */
import { PGLITE_TEMPLATE_FILE, writePgliteTemplate } from "./pglite-template.js";

const meta = await writePgliteTemplate();
console.log(`wrote ${PGLITE_TEMPLATE_FILE} (${meta.migrations} migrations, PGlite ${meta.pglite})`);
