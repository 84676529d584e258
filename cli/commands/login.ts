import { ApiError, type ApiClient } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { DOCKER_HUB_KEY, loadCredentials, serverKey, storeCredentials, type StoredCredentials } from "../docker-config.ts";
import { readPassword, readLine } from "../prompt.ts";

export default defineBunkerCommand({
  name: "login",
  description: "Log in to a registry",
  usage: "[OPTIONS] [SERVER]",
  flags: {
    username: { kind: "string", short: "u", description: "Username", valueName: "string" },
    password: { kind: "string", short: "p", description: "Password or Personal Access Token (PAT)", valueName: "string" },
    "password-stdin": { kind: "boolean", description: "Take the Password or Personal Access Token (PAT) from stdin" },
  },
  operands: { min: 0, max: 1 },
  async run({ flags, operands: [server], client }) {
    const key = serverKey(server ?? DOCKER_HUB_KEY);
    if (flags.password !== undefined) {
      console.error("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
      if (flags["password-stdin"]) throw new Error("--password and --password-stdin are mutually exclusive");
    }
    let password = flags.password;
    if (flags["password-stdin"]) {
      if (!flags.username) throw new Error("Must provide --username with --password-stdin");
      password = (await new Response(Bun.stdin.stream()).text()).replace(/\r?\n$/, "");
    }
    const stored = loadCredentials(key);
    // As docker: with no flags, credentials already stored are tried first.
    if (flags.username === undefined && password === undefined && stored && (await tryLogin(client, key, stored))) {
      console.log("Authenticating with existing credentials...");
      console.log("Login Succeeded");
      return 0;
    }
    const credentials = await askForMissing(flags.username, password, stored?.username);
    await client.json("POST", "/auth", { json: { username: credentials.username, password: credentials.password, serveraddress: key } });
    const path = storeCredentials(key, credentials);
    console.error(`\nWARNING! Your credentials are stored unencrypted in '${path}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n`);
    console.log("Login Succeeded");
    return 0;
  },
});

async function tryLogin(client: ApiClient, key: string, credentials: StoredCredentials): Promise<boolean> {
  try {
    await client.json("POST", "/auth", { json: { ...credentials, serveraddress: key } });
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
}

async function askForMissing(username: string | undefined, password: string | undefined, storedUsername: string | undefined): Promise<StoredCredentials> {
  if ((username === undefined || password === undefined) && !process.stdin.isTTY) {
    throw new Error("Error: Cannot perform an interactive login from a non TTY device");
  }
  const user = username ?? ((await readLine(`Username${storedUsername ? ` (${storedUsername})` : ""}: `)).trim() || storedUsername || "");
  if (user === "") throw new Error("Error: Non-null Username Required");
  const pass = password ?? (await readPassword("Password: "));
  if (pass === "") throw new Error("Error: Password Required");
  return { username: user, password: pass };
}
