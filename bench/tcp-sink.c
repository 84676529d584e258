/* The DNAT bench's receiver, in a container: accepts TCP connections on argv[1], each served by
 * a process of its own (several streams at once), reads it to its end, answers "done" and closes. busybox nc's `-e sh -c cat` pipes
 * every byte through two more processes and caps what the bench can see of the network path. */
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) return 1;
  static char buf[1 << 20];
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  for (;;) {
    int conn = accept(fd, 0, 0);
    if (conn < 0) continue;
    if (fork() == 0) {
      while (read(conn, buf, sizeof buf) > 0) {
      }
      write(conn, "done\n", 5);
      _exit(0);
    }
    close(conn);
  }
}
