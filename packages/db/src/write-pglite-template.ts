/** `pnpm --filter @claude-pool/db build` runs this after tsc: dist/pglite-template/ (+ .json). */
import { PGLITE_TEMPLATE_DIR, writePgliteTemplate } from "./pglite-template.js";

const meta = await writePgliteTemplate();
console.log(`wrote ${PGLITE_TEMPLATE_DIR} (${meta.migrations} migrations, PGlite ${meta.pglite})`);
