/*
 * Part of the libunwind.a that test/setup/rust.sh puts into a musl target's self-contained objects
 * (merged with `ld -r` into one object with the cross gcc's libgcc_eh.a):
 *  - _dl_find_object: GCC 12's unwinder, built against glibc >= 2.35, finds a PC's unwind tables
 *    with glibc's _dl_find_object, which musl has not; this one walks dl_iterate_phdr (which musl's
 *    static libc implements for the program itself) for the PT_LOAD holding the PC and returns the
 *    object's PT_GNU_EH_FRAME (rustc always links with --eh-frame-hdr). The struct layout is the
 *    one glibc's <dlfcn.h> of the same cross toolchain gives libgcc.
 *  - strong references to the pthread functions libgcc_eh calls through weak references once
 *    threads look active (musl's libc.a defines __pthread_key_create): a static link pulls an
 *    archive member only for a strong reference, and a weak one left unresolved is a call to 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct query {
  uintptr_t pc;
  struct dl_find_object *out;
  int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *arg) {
  struct query *q = arg;
  const ElfW(Phdr) *eh = NULL, *dyn = NULL;
  uintptr_t lo = 0, hi = 0;
  int hit = 0;
  (void)size;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type == PT_LOAD) {
      uintptr_t s = info->dlpi_addr + p->p_vaddr, e = s + p->p_memsz;
      if (q->pc >= s && q->pc < e) {
        hit = 1;
        lo = s;
        hi = e;
      }
    } else if (p->p_type == PT_GNU_EH_FRAME) {
      eh = p;
    } else if (p->p_type == PT_DYNAMIC) {
      dyn = p;
    }
  }
  if (!hit) return 0;
  q->out->dlfo_flags = 0;
  q->out->dlfo_map_start = (void *)lo;
  q->out->dlfo_map_end = (void *)hi;
  q->out->dlfo_link_map = NULL;
  q->out->dlfo_eh_frame = eh ? (void *)(info->dlpi_addr + eh->p_vaddr) : NULL;
#if DLFO_STRUCT_HAS_EH_DBASE
  /* i386: DW_EH_PE_datarel is relative to the GOT (DT_PLTGOT), as glibc reports it */
  q->out->dlfo_eh_dbase = NULL;
  if (dyn)
    for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + dyn->p_vaddr); d->d_tag != DT_NULL; d++)
      if (d->d_tag == DT_PLTGOT) {
        q->out->dlfo_eh_dbase = (void *)(info->dlpi_addr + d->d_un.d_ptr);
        break;
      }
#else
  (void)dyn;
#endif
  q->found = 1;
  return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *out) {
  struct query q = {(uintptr_t)pc, out, 0};
  dl_iterate_phdr(visit, &q);
  return q.found ? 0 : -1;
}

void *const multiarch_unwind_pthread_refs[] __attribute__((used)) = {
    (void *)pthread_once,        (void *)pthread_getspecific, (void *)pthread_setspecific,
    (void *)pthread_key_create,  (void *)pthread_mutex_lock,  (void *)pthread_mutex_unlock,
};
