/* The DNAT bench's client: `tcp-send HOST PORT BYTES` connects, sends BYTES, half-closes, reads
 * the receiver's answer to its close, and prints the milliseconds from connect to that close and
 * the answer. In C so that the client is never what the bench measures. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  static char buf[1 << 20];
  long long left = atoll(argv[3]);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
  inet_pton(AF_INET, argv[1], &addr.sin_addr);
  double started = now_ms();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return perror("connect"), 1;
  while (left > 0) {
    ssize_t n = write(fd, buf, left < (long long)sizeof buf ? left : sizeof buf);
    if (n <= 0) return perror("write"), 1;
    left -= n;
  }
  shutdown(fd, SHUT_WR);
  char reply[64] = {0};
  ssize_t got = 0, n;
  while ((n = read(fd, reply + got, sizeof reply - 1 - got)) > 0) got += n;
  printf("%.3f %s", now_ms() - started, reply);
  return 0;
}
