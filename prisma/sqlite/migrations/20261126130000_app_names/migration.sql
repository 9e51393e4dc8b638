-- App names follow the URL rules: lowercase letters, digits and single hyphens, 4 to 63
-- characters, not "members", "settings" or "activity", unique per organization regardless of
-- case (names are stored lowercase, so the unique index on (orgId, name) covers case). Existing
-- names that break a rule are renamed, with an audit event each:
--   lowercased, every run of other characters made one hyphen, hyphens trimmed at both ends,
--   cut to 63; an empty name becomes "app-<id>", a short or reserved one gets "-app";
--   when several apps of an organization end up with one name, the app that already has it
--   (or else the oldest) keeps it and the others get "-<id>" (or "-renamed-<id>" if even that
--   is taken).
-- The PostgreSQL migration of the same name does the same.

CREATE TEMP TABLE "_app_rename" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "oldName" TEXT NOT NULL,
    "base" TEXT NOT NULL,
    "newName" TEXT
);

-- SQLite has no regular expressions: walk each name a character at a time.
INSERT INTO "_app_rename" ("id", "orgId", "oldName", "base")
WITH RECURSIVE "chars"("id", "rest", "out") AS (
    SELECT "id", lower("name"), '' FROM "App"
    UNION ALL
    SELECT "id", substr("rest", 2),
           CASE WHEN substr("rest", 1, 1) BETWEEN 'a' AND 'z' OR substr("rest", 1, 1) BETWEEN '0' AND '9' THEN "out" || substr("rest", 1, 1)
                WHEN "out" = '' OR substr("out", -1) = '-' THEN "out"
                ELSE "out" || '-' END
      FROM "chars" WHERE "rest" <> ''
),
"trimmed" AS (
    SELECT "id", rtrim(substr(rtrim("out", '-'), 1, 63), '-') AS "s" FROM "chars" WHERE "rest" = ''
),
"padded" AS (
    SELECT "id", CASE WHEN "s" = '' THEN 'app-' || "id" WHEN length("s") < 4 THEN "s" || '-app' ELSE "s" END AS "s" FROM "trimmed"
)
SELECT a."id", a."orgId", a."name", CASE WHEN p."s" IN ('members', 'settings', 'activity') THEN p."s" || '-app' ELSE p."s" END
  FROM "App" a JOIN "padded" p ON p."id" = a."id";

UPDATE "_app_rename" SET "newName" = "base"
 WHERE "id" = (SELECT r2."id" FROM "_app_rename" r2
                WHERE r2."orgId" = "_app_rename"."orgId" AND r2."base" = "_app_rename"."base"
                ORDER BY r2."oldName" = r2."base" DESC, r2."id" LIMIT 1);

UPDATE "_app_rename" SET "newName" = rtrim(substr("base", 1, 62 - length("id")), '-') || '-' || "id" WHERE "newName" IS NULL;

UPDATE "_app_rename" SET "newName" = rtrim(substr("base", 1, 54 - length("id")), '-') || '-renamed-' || "id"
 WHERE "newName" <> "base"
   AND EXISTS (SELECT 1 FROM "_app_rename" o WHERE o."orgId" = "_app_rename"."orgId" AND o."id" <> "_app_rename"."id" AND o."newName" = "_app_rename"."newName");

-- Two steps, so that no rename meets a name another rename is about to free.
UPDATE "App" SET "name" = '~renaming~' || "id" WHERE "id" IN (SELECT "id" FROM "_app_rename" WHERE "newName" <> "oldName");
UPDATE "App" SET "name" = (SELECT r."newName" FROM "_app_rename" r WHERE r."id" = "App"."id")
 WHERE "id" IN (SELECT "id" FROM "_app_rename" WHERE "newName" <> "oldName");

INSERT INTO "AuditEvent" ("id", "orgId", "appId", "action", "details", "createdAt")
SELECT 'mig' || lower(hex(randomblob(12))), "orgId", "id", 'app.renamed',
       json_object('previousName', "oldName", 'name', "newName", 'reason', 'name-rules'),
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
  FROM "_app_rename" WHERE "newName" <> "oldName";

DROP TABLE "_app_rename";
