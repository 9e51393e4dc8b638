// Runs once when the Next.js server starts: refuse to serve with a bad configuration or with
// secrets that do not match the stored keys (npm start checks this too, before building); then
// start the outbox worker, which sends webhook deliveries and notification emails off the request path.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkSecretsOrExit, startOutbox } = await import('./lib/startup');
  await checkSecretsOrExit();
  startOutbox();
}
