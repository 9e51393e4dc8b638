// Where the browser tests' servers listen: the portal and the runtime, both on loopback.
export const portalPort = Number(process.env.E2E_PORT ?? 3210);
export const runtimePort = Number(process.env.E2E_RUNTIME_PORT ?? 8190);
export const portalURL = `http://127.0.0.1:${portalPort}`;
export const runtimeURL = `http://127.0.0.1:${runtimePort}`;
