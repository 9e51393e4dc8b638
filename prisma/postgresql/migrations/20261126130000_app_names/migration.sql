-- App names follow the URL rules: lowercase letters, digits and single hyphens, 4 to 63
-- characters, not "members", "settings" or "activity", unique per organization regardless of
-- case (names are stored lowercase, so the unique index on (orgId, name) covers case). Existing
-- names that break a rule are renamed, with an audit event each:
--   lowercased, every run of other characters made one hyphen, hyphens trimmed at both ends,
--   cut to 63; an empty name becomes "app-<id>", a short or reserved one gets "-app";
--   when several apps of an organization end up with one name, the app that already has it
--   (or else the oldest) keeps it and the others get "-<id>" (or "-renamed-<id>" if even that
--   is taken).
-- The SQLite migration of the same name does the same.

CREATE TEMP TABLE "_app_rename" AS
WITH "trimmed" AS (
    SELECT "id", "orgId", "name",
           rtrim(left(trim(BOTH '-' FROM regexp_replace(lower("name"), '[^a-z0-9]+', '-', 'g')), 63), '-') AS "s"
      FROM "App"
),
"padded" AS (
    SELECT "id", "orgId", "name",
           CASE WHEN "s" = '' THEN 'app-' || "id" WHEN length("s") < 4 THEN "s" || '-app' ELSE "s" END AS "s"
      FROM "trimmed"
)
SELECT "id", "orgId", "name" AS "oldName",
       CASE WHEN "s" IN ('members', 'settings', 'activity') THEN "s" || '-app' ELSE "s" END AS "base",
       NULL::TEXT AS "newName"
  FROM "padded";

UPDATE "_app_rename" r SET "newName" = r."base"
 WHERE r."id" = (SELECT r2."id" FROM "_app_rename" r2
                  WHERE r2."orgId" = r."orgId" AND r2."base" = r."base"
                  ORDER BY r2."oldName" = r2."base" DESC, r2."id" LIMIT 1);

UPDATE "_app_rename" SET "newName" = rtrim(left("base", 62 - length("id"::TEXT)), '-') || '-' || "id" WHERE "newName" IS NULL;

UPDATE "_app_rename" r SET "newName" = rtrim(left(r."base", 54 - length(r."id"::TEXT)), '-') || '-renamed-' || r."id"
 WHERE r."newName" <> r."base"
   AND EXISTS (SELECT 1 FROM "_app_rename" o WHERE o."orgId" = r."orgId" AND o."id" <> r."id" AND o."newName" = r."newName");

-- Two steps, so that no rename meets a name another rename is about to free.
UPDATE "App" SET "name" = '~renaming~' || "id" WHERE "id" IN (SELECT "id" FROM "_app_rename" WHERE "newName" <> "oldName");
UPDATE "App" a SET "name" = r."newName" FROM "_app_rename" r WHERE r."id" = a."id" AND r."newName" <> r."oldName";

INSERT INTO "AuditEvent" ("id", "orgId", "appId", "action", "details", "createdAt")
SELECT 'mig' || replace(gen_random_uuid()::TEXT, '-', ''), "orgId", "id", 'app.renamed',
       json_build_object('previousName', "oldName", 'name', "newName", 'reason', 'name-rules')::TEXT,
       now() AT TIME ZONE 'UTC'
  FROM "_app_rename" WHERE "newName" <> "oldName";

DROP TABLE "_app_rename";
