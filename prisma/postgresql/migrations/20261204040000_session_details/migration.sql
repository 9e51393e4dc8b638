-- Sessions you can see: where and how each signed in, when last seen, and a tombstone with the
-- reason once it ends (so the browser still holding its cookie is told why it was signed out).
ALTER TABLE "UserSession" ADD COLUMN "userAgent" TEXT;
ALTER TABLE "UserSession" ADD COLUMN "address" TEXT;
ALTER TABLE "UserSession" ADD COLUMN "lastSeenAt" TIMESTAMP(3);
ALTER TABLE "UserSession" ADD COLUMN "endedAt" TIMESTAMP(3);
ALTER TABLE "UserSession" ADD COLUMN "endedReason" TEXT;

-- A user's account activity: the events they made, and those made to their account.
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt");
CREATE INDEX "AuditEvent_subjectUserId_createdAt_idx" ON "AuditEvent"("subjectUserId", "createdAt");
