import { defineBunkerCommand } from "../command.ts";
import { DOCKER_HUB_KEY, removeCredentials, serverKey } from "../docker-config.ts";

export default defineBunkerCommand({
  name: "logout",
  description: "Log out from a registry",
  usage: "[SERVER]",
  flags: {},
  operands: { min: 0, max: 1 },
  // Like docker's, a logout only forgets what config.json keeps: the daemon holds no session.
  async run({ operands: [server] }) {
    const key = serverKey(server ?? DOCKER_HUB_KEY);
    if (!removeCredentials(key)) {
      console.log(`Not logged in to ${key}`);
      return 0;
    }
    console.log(`Removing login credentials for ${key}`);
    return 0;
  },
});
