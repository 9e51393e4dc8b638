-- CreateTable
CREATE TABLE "OAuthClient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scopes" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "secretDigest" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "secretRegeneratedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "deletedAt" DATETIME,
    CONSTRAINT "OAuthClient_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OAuthClient_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuthAccessToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "OAuthAccessToken_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "OAuthClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable: a nullable column with a foreign key can be added in place on SQLite.
ALTER TABLE "AuditEvent" ADD COLUMN "oauthClientId" TEXT REFERENCES "OAuthClient" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "createdViaOAuthClientId" TEXT REFERENCES "OAuthClient" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "OAuthClient_clientId_key" ON "OAuthClient"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthClient_secretDigest_key" ON "OAuthClient"("secretDigest");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthClient_orgId_name_key" ON "OAuthClient"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthAccessToken_digest_key" ON "OAuthAccessToken"("digest");

-- CreateIndex
CREATE INDEX "OAuthAccessToken_clientId_expiresAt_idx" ON "OAuthAccessToken"("clientId", "expiresAt");
