// The core's native speed: the same wasm2c output the firmware is built from,
// compiled for the host (gcc -O2, with wabt's stock runtime), driven through
// the same ABI calls as host/bench/codec-bench.ts drives the WebAssembly build
// in Node, on the same frames. host/bench/native-bench.ts builds and runs it.
//
//   native-bench CASES SECONDS FRAMES_OUT
//
// CASES (written by native-bench.ts): "SXB1", u32 count, then per case the
// 24-octet Tx block (layout Tx, firmware/abi/layout.ts) and a u16 length
// followed by the IPv6 packet; all little-endian. FRAMES_OUT receives the
// frame compress() made for each case on a fresh instance, [u8 length][PSDU]
// each, so the caller can check they are the frames Node makes. Prints one
// JSON line with the three rates.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sixlab_core.h"

#define TX_SIZE 24
#define TX_SEQ 20 // the core advances the sequence number: left as it is, as setTx() does

typedef struct {
  uint8_t tx[TX_SIZE];
  uint16_t len;
  uint8_t *packet;
} bench_case_t;

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "native-bench: %s\n", what);
  exit(1);
}

static bench_case_t *read_cases(const char *path, uint32_t *count) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open the cases file");
  char magic[4];
  if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "SXB1", 4) != 0 || fread(count, 4, 1, f) != 1) die("not a cases file");
  bench_case_t *cases = calloc(*count, sizeof *cases);
  for (uint32_t i = 0; i < *count; i++) {
    if (fread(cases[i].tx, 1, TX_SIZE, f) != TX_SIZE || fread(&cases[i].len, 2, 1, f) != 1) die("truncated cases file");
    cases[i].packet = malloc(cases[i].len);
    if (fread(cases[i].packet, 1, cases[i].len, f) != cases[i].len) die("truncated cases file");
  }
  fclose(f);
  return cases;
}

typedef struct {
  Z_sixlab_core_instance_t inst;
  uint8_t *mem;
  uint32_t in, out, tx;
} core_t;

static void core_new(core_t *c) {
  Z_sixlab_core_instantiate(&c->inst);
  c->mem = c->inst.w2c_memory.data;
  c->in = Z_sixlab_coreZ_buffer_in(&c->inst);
  c->out = Z_sixlab_coreZ_buffer_out(&c->inst);
  c->tx = Z_sixlab_coreZ_tx_params(&c->inst);
  Z_sixlab_coreZ_reset(&c->inst, 0); // as the SixlabCore constructor does
}

// setTx() + compressRaw(): the Tx block but its sequence number, the packet, compress.
static uint32_t compress_case(core_t *c, const bench_case_t *k) {
  memcpy(c->mem + c->tx, k->tx, TX_SEQ);
  memcpy(c->mem + c->tx + TX_SEQ + 1, k->tx + TX_SEQ + 1, TX_SIZE - TX_SEQ - 1);
  memcpy(c->mem + c->in, k->packet, k->len);
  return Z_sixlab_coreZ_compress(&c->inst, k->len);
}

int main(int argc, char **argv) {
  if (argc != 4) die("usage: native-bench CASES SECONDS FRAMES_OUT");
  uint32_t n;
  bench_case_t *cases = read_cases(argv[1], &n);
  double seconds = atof(argv[2]);
  wasm_rt_init();
  Z_sixlab_core_init_module();
  core_t sender, receiver;
  core_new(&sender);
  core_new(&receiver);

  // The frames, one per case (the mix holds packets that fit one frame).
  uint8_t (*frames)[128] = calloc(n, 128);
  FILE *fo = fopen(argv[3], "wb");
  if (!fo) die("cannot write the frames file");
  for (uint32_t i = 0; i < n; i++) {
    if ((int32_t)compress_case(&sender, &cases[i]) != 1) die("a case did not compress to one frame");
    uint8_t len = sender.mem[sender.out];
    memcpy(frames[i], sender.mem + sender.out, 1u + len);
    fwrite(frames[i], 1, 1u + len, fo);
  }
  fclose(fo);

  // Each rate: whole passes over the cases until the time is up, as codecBench's rate().
  double t0 = seconds_now(), end = t0 + seconds;
  uint64_t done = 0;
  while (seconds_now() < end) {
    for (uint32_t i = 0; i < n; i++)
      if ((int32_t)compress_case(&sender, &cases[i]) != 1) die("compress failed");
    done += n;
  }
  double compress_rate = done / (seconds_now() - t0);

  t0 = seconds_now(), end = t0 + seconds, done = 0;
  while (seconds_now() < end) {
    for (uint32_t i = 0; i < n; i++) {
      memcpy(receiver.mem + receiver.in, frames[i] + 1, frames[i][0]);
      if ((int32_t)Z_sixlab_coreZ_decode(&receiver.inst, frames[i][0], 0) <= 0) die("decode failed");
    }
    done += n;
  }
  double decode_rate = done / (seconds_now() - t0);

  // Compress then decode the frame in the same instance (decodeOwnFrame).
  t0 = seconds_now(), end = t0 + seconds, done = 0;
  while (seconds_now() < end) {
    for (uint32_t i = 0; i < n; i++) {
      compress_case(&sender, &cases[i]);
      uint8_t len = sender.mem[sender.out];
      memmove(sender.mem + sender.in, sender.mem + sender.out + 1, len);
      if (Z_sixlab_coreZ_decode(&sender.inst, len, 0) != cases[i].len) die("round trip failed");
    }
    done += n;
  }
  double round_trip_rate = done / (seconds_now() - t0);

  printf("{\"frames\":%u,\"compressPerSecond\":%.0f,\"decompressPerSecond\":%.0f,\"roundTripsPerSecond\":%.0f}\n",
         n, compress_rate, decode_rate, round_trip_rate);
  return 0;
}
