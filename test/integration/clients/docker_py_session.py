"""What docker-py 5 does against a daemon (see engine-api-traces.md section 5), printed as one
line per check for the bun test that runs this script against bunker."""
import docker

client = docker.from_env()  # DOCKER_HOST; first request is an unversioned GET /version
print("ping", client.ping())
print("version", client.version()["ApiVersion"])
print("run", client.containers.run("base", "echo hi", remove=True).decode().strip())
print("images", sorted(tag for image in client.images.list() for tag in image.tags))
worker = client.containers.run("base", ["sh", "-c", "echo started; sleep 60"], detach=True)
print("listed", worker.id in [c.id for c in client.containers.list()])
worker.reload()
print("status", worker.status)
worker.stop(timeout=1)
worker.reload()
print("stopped", worker.status, worker.attrs["State"]["ExitCode"])
print("logs", worker.logs().decode().strip())
worker.remove()
try:
    client.containers.get(worker.id)
except docker.errors.NotFound:
    print("removed", True)
