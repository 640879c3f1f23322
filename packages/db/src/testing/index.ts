export {
  createScratchPostgres,
  freshPglite,
  PG_ADMIN_URL,
  type ScratchPostgres,
  scratchPostgresDatabase,
} from "./databases.js";
