-- AlterTable
ALTER TABLE "AuditEvent" ALTER COLUMN "orgId" DROP NOT NULL,
ADD COLUMN     "details" TEXT,
ADD COLUMN     "subjectUserId" TEXT;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_subjectUserId_fkey" FOREIGN KEY ("subjectUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
