-- A user's token names are unique, so that "Revoke ci-read" names one token. Existing
-- duplicates are renamed before the unique index is made: among a user's tokens of one name,
-- a current one (else the oldest) keeps it, and the others get " (2)", " (3)", ... in order of
-- creation (or " (<id>)" where that name is taken too). The SQLite migration does the same.

CREATE TEMP TABLE "_token_rename" AS
SELECT "id", "userId", "name",
       row_number() OVER (PARTITION BY "userId", "name" ORDER BY "revokedAt" IS NOT NULL, "createdAt", "id") AS "n"
  FROM "PersonalAccessToken";

UPDATE "PersonalAccessToken" t
   SET "name" = CASE WHEN EXISTS (SELECT 1 FROM "_token_rename" o WHERE o."userId" = r."userId" AND o."name" = r."name" || ' (' || r."n" || ')')
                     THEN r."name" || ' (' || r."id" || ')'
                     ELSE r."name" || ' (' || r."n" || ')' END
  FROM "_token_rename" r
 WHERE r."id" = t."id" AND r."n" > 1;

DROP TABLE "_token_rename";

-- DropIndex: the unique index starts with userId and serves its lookups.
DROP INDEX "PersonalAccessToken_userId_idx";

-- CreateIndex
CREATE UNIQUE INDEX "PersonalAccessToken_userId_name_key" ON "PersonalAccessToken"("userId", "name");
