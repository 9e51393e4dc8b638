#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here. `prisma generate`
# only needs the file to exist. Anything that really calls it fails loudly.
echo "The Prisma schema engine is not installed; apply migrations with 'npm run migrate'." >&2
exit 1
