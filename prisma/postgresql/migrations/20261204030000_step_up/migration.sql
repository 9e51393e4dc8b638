-- Each session records when its user last authenticated (the sign-in, or a re-authentication),
-- for the step-up check before sensitive actions. A session made before this migration counts
-- as authenticated when it was made. The SQLite migration does the same.

-- AlterTable
ALTER TABLE "UserSession" ADD COLUMN "authenticatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "UserSession" SET "authenticatedAt" = "createdAt";
