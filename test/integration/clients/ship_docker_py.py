"""docker-py's login, pull, push and run of a missing image against a daemon, one line per check.
argv: registry host, user, password, the image to pull (REG/busybox:1)."""
import sys

import docker

registry, user, password, image = sys.argv[1:5]
client = docker.from_env()
print("login", client.login(username=user, password=password, registry=registry)["Status"])
repo, tag = image.rsplit(":", 1)
pulled = client.images.pull(repo, tag=tag)
print("pulled", image in pulled.tags)
pulled.tag(f"{registry}/from-docker-py", "1")
errors = [line for line in client.images.push(f"{registry}/from-docker-py", tag="1", stream=True, decode=True) if "error" in line]
print("pushed", errors == [])
try:
    client.containers.run(f"{registry}/does-not-exist:1", "true", remove=True)
except docker.errors.ImageNotFound:
    print("missing ImageNotFound")
