/* c-echo: a minimal single-threaded epoll WebSocket echo in C, the "ceiling of the machine"
 * reference of benchmarks.md, measured in the same run as noex-ws-echo so ratios are honest on a
 * shared machine. Not a conforming server (no UTF-8 or close-code checks, no fragmentation):
 * it does the upgrade, optionally sends {"type":"welcome"}, unmasks frames and echoes them,
 * batching all replies of one read into one write.
 * build: gcc -O2 -o c-echo c-echo.c      usage: c-echo PORT [--welcome]   (prints the bound port) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/sha.h>

typedef struct { int fd, upgraded; unsigned char *in; size_t len, cap; } conn_t;
static conn_t *conns[1 << 16];
static int welcome;

static void b64(const unsigned char *s, int n, char *o) {
  static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int i, j = 0;
  for (i = 0; i + 2 < n; i += 3) {
    o[j++] = t[s[i] >> 2]; o[j++] = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
    o[j++] = t[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)]; o[j++] = t[s[i + 2] & 63];
  }
  if (n - i == 2) { o[j++] = t[s[i] >> 2]; o[j++] = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)]; o[j++] = t[(s[i + 1] & 15) << 2]; o[j++] = '='; }
  else if (n - i == 1) { o[j++] = t[s[i] >> 2]; o[j++] = t[(s[i] & 3) << 4]; o[j++] = '='; o[j++] = '='; }
  o[j] = 0;
}

static void drop(int ep, conn_t *c) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); conns[c->fd] = NULL; free(c->in); free(c); }

static int handshake(conn_t *c) {
  unsigned char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
  if (!end) return 0;
  char *k = memmem(c->in, end - c->in, "Sec-WebSocket-Key: ", 19);
  if (!k) return -1;
  k += 19; char *e = memchr(k, '\r', (char *)end - k + 2);
  char key[128]; int kl = (int)(e - k); if (kl > 60) return -1;
  memcpy(key, k, kl); memcpy(key + kl, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
  unsigned char d[20]; SHA1((unsigned char *)key, kl + 36, d);
  char acc[32]; b64(d, 20, acc);
  char r[256]; int n = snprintf(r, sizeof r, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
  if (welcome) { memcpy(r + n, "\x81\x12{\"type\":\"welcome\"}", 20); n += 20; }
  if (write(c->fd, r, n) != n) return -1;
  size_t hl = end + 4 - c->in; memmove(c->in, c->in + hl, c->len - hl); c->len -= hl;
  c->upgraded = 1; return 1;
}

static unsigned char out[1 << 20];
static int frames(conn_t *c) {
  size_t off = 0, o = 0;
  while (c->len - off >= 6) {
    unsigned char *b = c->in + off; size_t n = b[1] & 127, h = 2;
    if (n == 126) { if (c->len - off < 8) break; n = (b[2] << 8) | b[3]; h = 4; }
    else if (n == 127) return -1;
    if (c->len - off < h + 4 + n) break;
    unsigned char *m = b + h, *p = b + h + 4;
    int op = b[0] & 15;
    if (op == 8) return -1;
    if (o + n + 4 > sizeof out) break;
    out[o++] = 0x80 | op;
    if (n < 126) out[o++] = n; else { out[o++] = 126; out[o++] = n >> 8; out[o++] = n & 255; }
    for (size_t i = 0; i < n; i++) out[o++] = p[i] ^ m[i & 3];
    off += h + 4 + n;
  }
  memmove(c->in, c->in + off, c->len - off); c->len -= off;
  if (o && write(c->fd, out, o) != (ssize_t)o) return -1;
  return 0;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0; welcome = argc > 2 && !strcmp(argv[2], "--welcome");
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1024)) { perror("bind"); return 1; }
  socklen_t al = sizeof a; getsockname(ls, (struct sockaddr *)&a, &al);
  printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port)); fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[512];
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  static unsigned char rb[1 << 18];
  for (;;) {
    int n = epoll_wait(ep, evs, 512, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int cfd;
        while ((cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (cfd >= (1 << 16)) { close(cfd); continue; }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn_t *c = calloc(1, sizeof *c); c->fd = cfd; conns[cfd] = c;
          ev.events = EPOLLIN; ev.data.fd = cfd; epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
        }
        continue;
      }
      conn_t *c = conns[fd]; if (!c) continue;
      ssize_t r = read(fd, rb, sizeof rb);
      if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; drop(ep, c); continue; }
      if (c->len + r > c->cap) { c->cap = (c->len + r) * 2; c->in = realloc(c->in, c->cap); }
      memcpy(c->in + c->len, rb, r); c->len += r;
      if (!c->upgraded) { int h = handshake(c); if (h < 0) { drop(ep, c); continue; } if (h == 0) continue; }
      if (frames(c) < 0) drop(ep, c);
    }
  }
}
